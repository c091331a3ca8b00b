"""Input formats of Simplified Chinese with the ISO form first.

A form widget renders its value in the first of these formats.  Django's own list for
zh-Hans starts with ``%Y/%m/%d``, which an ``<input type="date">`` rejects: the browser
shows the field empty, and saving the form unchanged erased the date.  Every other
format (display, ``Y年n月j日``) comes from Django's zh-Hans module.
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-12-08', what <input type="date"> sends and accepts
    "%Y/%m/%d",  # '2026/12/08'
    "%Y年%m月%d日",  # '2026年12月8日'
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",  # '2026-12-08 09:30'
    "%Y-%m-%dT%H:%M",  # '2026-12-08T09:30', what <input type="datetime-local"> sends
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
]
