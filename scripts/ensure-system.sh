#!/bin/sh
# Install the Debian packages a target needs, only when they are missing (idempotent).
#   scripts/ensure-system.sh venv     -> python3-venv (ensurepip) for creating .venv
#   scripts/ensure-system.sh browser  -> chromium and CJK fonts for the browser tests
set -eu

missing=""
need() {
    dpkg -s "$1" >/dev/null 2>&1 || missing="$missing $1"
}

case "${1:-}" in
    venv)
        if python3 -c "import ensurepip, venv" >/dev/null 2>&1; then exit 0; fi
        need python3-venv
        ;;
    browser)
        command -v chromium >/dev/null 2>&1 || need chromium
        need fonts-noto-cjk
        ;;
    *)
        echo "usage: $0 venv|browser" >&2
        exit 2
        ;;
esac

[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "缺少系统软件包:$missing —— 请以 root 运行: apt-get install -y$missing" >&2
    exit 1
fi
echo "安装系统软件包:$missing"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
