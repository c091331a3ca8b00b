from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.common.forms import BootstrapFormMixin, add_service_errors
from spotcheck.core.draw import PublicSource
from spotcheck.core.draw.drand import NETWORKS
from spotcheck.draws.selectors import official_candidates, redraw_approvers

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class PrepareForm(BootstrapFormMixin, forms.Form):
    officials = forms.ModelMultipleChoiceField(
        label=_("作出承诺的官员（至少两个不同部门）"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    redraw_reason = forms.CharField(
        label=_("重新抽取理由"),
        required=False,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    approved_by = forms.ModelChoiceField(
        label=_("批准人（另一角色的官员）"), queryset=User.objects.none(), required=False
    )
    drand_network = forms.ChoiceField(
        label=_("公共随机源：drand网络（可选）"),
        choices=[
            ("", _("不使用drand")),
            ("quicknet", _("quicknet（每3秒一轮）")),
            ("default", _("default（每30秒一轮，链式）")),
        ],
        required=False,
        help_text=_("drand是公开可验证的随机信标；平台用该链的公钥核验所填签名"),
    )
    drand_round = forms.IntegerField(
        label=_("drand轮次"),
        required=False,
        min_value=1,
        help_text=_("须为公告发布、官员公布秘密值之后才产生的轮次"),
    )
    lottery_name = forms.CharField(
        label=_("公共随机源：彩票名称（可选）"),
        required=False,
        max_length=40,
        help_text=_("如“中国福利彩票双色球”。声明后，须待该期开奖后才能抽取"),
    )
    lottery_draw = forms.CharField(label=_("开奖期号"), required=False, max_length=20)
    fallback_draw = forms.CharField(
        label=_("备用期号（主期号取消时使用）"), required=False, max_length=20
    )

    def __init__(self, *args: Any, candidates: Any, approvers: Any, redraw: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["officials"].queryset = candidates
        self.fields["officials"].label_from_instance = lambda u: f"{u}（{u.department}）"
        self.fields["approved_by"].queryset = approvers
        self.fields["approved_by"].label_from_instance = lambda u: (
            f"{u}（{u.get_role_display()}{f'，{u.department}' if u.department else ''}）"
        )
        self.is_redraw = redraw
        if redraw:
            self.fields["redraw_reason"].required = True
            self.fields["approved_by"].required = True
            self.fields["approved_by"].help_text = _("由其登录后批准或不批准；批准前不能作出承诺")
        else:
            del self.fields["redraw_reason"]
            del self.fields["approved_by"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, draw = data.get("lottery_name", ""), data.get("lottery_draw", "")
        if bool(name) != bool(draw):
            raise forms.ValidationError(_("彩票名称和开奖期号须同时填写"))
        if bool(data.get("drand_network")) != bool(data.get("drand_round")):
            raise forms.ValidationError(_("drand网络和轮次须同时填写"))
        if data.get("fallback_draw") and (not name or data.get("drand_network")):
            raise forms.ValidationError(
                _("填写备用期号前须先声明彩票名称和期号；以drand为主随机源时，所填彩票即为备用")
            )
        return data

    def refuse(self, exc: ValidationError) -> None:
        """Show the service's refusal: the ``primary`` and ``fallback`` sources it speaks of
        are the drand round and the lottery draw when drand is named, otherwise the lottery
        draw and its fallback."""
        drand = bool(self.cleaned_data.get("drand_network"))
        renamed = {
            "primary": "drand_round" if drand else "lottery_draw",
            "fallback": "lottery_draw" if drand else "fallback_draw",
        }
        add_service_errors(self, exc, renamed=renamed)

    def sources(self) -> dict[str, PublicSource | None]:
        """drand, if named, is the primary source and a named lottery draw its fallback."""
        name = self.cleaned_data.get("lottery_name", "")
        lottery = (
            PublicSource("lottery", name=name, draw=self.cleaned_data["lottery_draw"])
            if name
            else None
        )
        network = self.cleaned_data.get("drand_network", "")
        if network:
            drand = PublicSource(
                "drand", chain_hash=NETWORKS[network], round=self.cleaned_data["drand_round"]
            )
            return {"primary": drand, "fallback": lottery}
        if lottery is None:
            return {"primary": None, "fallback": None}
        fallback = self.cleaned_data.get("fallback_draw", "")
        return {
            "primary": lottery,
            "fallback": PublicSource("lottery", name=name, draw=fallback) if fallback else None,
        }


def prepare_form(task: Task, user: User, data: Any = None) -> PrepareForm:
    """The form that opens an attempt; from the second on it is a redraw request."""
    return PrepareForm(
        data,
        candidates=official_candidates(task),
        approvers=redraw_approvers(task, user),
        redraw=task.draw_attempts.exists(),
    )


def _hex32(value: str, message: str) -> bytes | None:
    """64 hex digits (spaces and case ignored) as 32 bytes; None when left empty."""
    value = "".join(value.split()).lower()
    if not value:
        return None
    if not _HEX64.match(value):
        raise forms.ValidationError(message)
    return bytes.fromhex(value)


class CommitForm(BootstrapFormMixin, forms.Form):
    """The manual way to commit: a commitment computed elsewhere, or (as before) a secret.

    On a browser with the Web Crypto API the page's script makes the secret and fills in
    the commitment itself (static/js/draw-secret.js); the secret never reaches the server.
    """

    commitment = forms.CharField(
        label=_("承诺值（64位十六进制）"),
        required=False,
        max_length=80,
        help_text=_("在别处自行生成秘密值并算出承诺值的，填写承诺值；平台不会看到您的秘密值"),
    )
    secret = forms.CharField(
        label=_("或者：秘密值（64位十六进制）"),
        required=False,
        max_length=80,
        help_text=_("也可以填写秘密值，由平台算出承诺值；平台不保存秘密值，但它会经过平台"),
    )

    def clean_commitment(self) -> bytes | None:
        return _hex32(self.cleaned_data["commitment"], _("承诺值应为64位十六进制字符（0-9、a-f）"))

    def clean_secret(self) -> bytes | None:
        return _hex32(self.cleaned_data["secret"], _("秘密值应为64位十六进制字符（0-9、a-f）"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("commitment") and data.get("secret"):
            raise forms.ValidationError(_("承诺值和秘密值只填一项"))
        if not data.get("commitment") and not data.get("secret"):
            raise forms.ValidationError(
                _("没有收到承诺值：本浏览器未能生成秘密值，请按页面上的手工方式填写承诺值")
            )
        return data


class SecretForm(BootstrapFormMixin, forms.Form):
    """The reveal: the secret whose commitment was published."""

    secret = forms.CharField(
        label=_("秘密值（64位十六进制）"),
        max_length=80,
        help_text=_("作出承诺时保存的秘密值；本浏览器保存了的会自动填入"),
    )

    def clean_secret(self) -> bytes | None:
        return _hex32(self.cleaned_data["secret"], _("秘密值应为64位十六进制字符（0-9、a-f）"))


class RunForm(BootstrapFormMixin, forms.Form):
    """The published public value, when the announcement named one."""

    used = forms.ChoiceField(
        label=_("采用"),
        choices=[("primary", _("主随机源的结果")), ("fallback", _("备用随机源的结果"))],
        required=False,
    )
    public_value = forms.CharField(
        label=_("开奖结果（RFC 3797格式）或drand随机值"),
        required=False,
        max_length=200,
        help_text=_(
            "彩票：每组号码从小到大，每个号码后加“.”，每组后加“/”，如 3.7.12.19.25.33./9./；"
            "drand：随机值可不填，由签名算出"
        ),
    )
    signature = forms.CharField(
        label=_("drand签名"),
        required=False,
        max_length=200,
        help_text=_("该轮的signature（十六进制），平台用该链公钥核验"),
    )
    previous_signature = forms.CharField(
        label=_("drand前一轮签名"),
        required=False,
        max_length=200,
        help_text=_("仅default链需要：该轮的previous_signature"),
    )


class AbandonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("放弃理由"), max_length=255)


class RefuseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("不批准理由"), max_length=255)


class ReplaceForm(forms.Form):
    """退回并替补 of one dispatched row: a declared reason, a written note, and the state the
    page showed (a row changed since is refused by the service)."""

    reason = forms.ChoiceField(
        label=_("退回理由"), error_messages={"required": _("请选择退回理由")}
    )
    note = forms.CharField(
        label=_("情况说明"),
        max_length=255,
        error_messages={
            "required": _("请填写情况说明：写明核实的情况和依据（如注销日期、实地核查结果）")
        },
    )
    state = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": _("页面已过期，请刷新后再操作")}
    )

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = reasons
        self.fields["reason"].error_messages["invalid_choice"] = _(
            "退回理由须为抽取公告声明的理由：%(names)s"
        ) % {"names": "、".join(label for _v, label in reasons)}
