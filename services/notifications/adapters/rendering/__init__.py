"""Mail templates and their rendering: Jinja2 files under `templates/`, one model per template.

A template `<name>` lives in `templates/<name>/` as `<lang>.subject.txt`, `<lang>.txt` and
`<lang>.html`; the bodies extend `layout.txt` / `layout.html` (greeting, signature, footer)
and include the shared `_*.txt` / `_*.html` parts. Adding a mail is: the files, a context
model (`contexts`) and one `MailTemplate` entry in `registry.TEMPLATES`.
"""
