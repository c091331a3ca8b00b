#!/bin/sh
# Install the Debian packages the given targets need, only when they are missing (idempotent).
#   scripts/ensure-system.sh venv     -> python3-venv (ensurepip) for creating .venv
#   scripts/ensure-system.sh browser  -> chromium and CJK fonts for the browser tests
#   scripts/ensure-system.sh pdf      -> Pango, HarfBuzz and CJK fonts for WeasyPrint (PDF),
#                                        poppler-utils to look at the PDFs (pdftotext, pdftoppm)
# Several targets may be given at once: scripts/ensure-system.sh browser pdf
set -eu

missing=""
need() {
    case " $missing " in *" $1 "*) return 0 ;; esac
    dpkg -s "$1" >/dev/null 2>&1 || missing="$missing $1"
}

[ $# -gt 0 ] || { echo "usage: $0 venv|browser|pdf ..." >&2; exit 2; }
for target in "$@"; do
    case "$target" in
        venv)
            if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
                need python3-venv
            fi
            ;;
        browser)
            command -v chromium >/dev/null 2>&1 || need chromium
            need fonts-noto-cjk
            ;;
        pdf)
            need libpango-1.0-0
            need libpangoft2-1.0-0
            need libharfbuzz-subset0
            need fontconfig
            need fonts-noto-cjk
            need poppler-utils
            ;;
        *)
            echo "usage: $0 venv|browser|pdf ..." >&2
            exit 2
            ;;
    esac
done

[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "缺少系统软件包:$missing —— 请以 root 运行: apt-get install -y$missing" >&2
    exit 1
fi
echo "安装系统软件包:$missing"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
