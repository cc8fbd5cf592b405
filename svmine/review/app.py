"""The review web app (Flask): queue, page view, conflicts, login.

Design decisions
- Server-rendered pages with plain HTML forms: every action works as a form POST, and the small
  script only maps keys to buttons and turns a text selection into offsets. Nothing is fetched
  from the network; the Content-Security-Policy allows only the app's own script and style, so
  even a template mistake could not run document text as code. Jinja autoescapes every value.
- Sessions are Flask's signed cookies; the secret is generated once per database and kept in it,
  so auditors stay logged in across restarts. Each session carries a CSRF token that every POST
  must echo (hidden field ``csrf`` or header ``X-CSRF-Token``); otherwise 400.
- With a ``token`` configured (required off loopback), logging in needs it.
- One SQLite connection per request, closed at teardown; writes are short BEGIN IMMEDIATE
  transactions (see ``svmine.store.annotations``) and each form carries a nonce, so a doubled
  submit is stored once.
- ``leads``: auditors who may adjudicate conflicts; when none are named, every auditor may.
"""

from __future__ import annotations

import hmac
import re
import secrets
from pathlib import Path

from flask.globals import request_ctx
from flask import Flask, abort, current_app, g, redirect, render_template, request, send_file, session, url_for

from svmine.review import pages
from svmine.store import Store
from svmine.store import annotations as store

MAX_REQUEST_BYTES = 64 * 1024
FILTER_KEYS = ("document", "footprint", "category", "source", "status", "order")
RELABEL_KEYS = (("1", "social_value_explicit", "SV explicit"), ("2", "social_value_implicit", "SV implicit"),
                ("3", "vcse", "VCSE"), ("0", "other", "Other"))
ADD_LABELS = RELABEL_KEYS[:3]
LABEL_NAMES = {label: name for _, label, name in RELABEL_KEYS}
CONTEXT_CHARS = 400
_AUDITOR_NAME = re.compile(r"^[\w][\w .@'-]{0,39}$")
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self';"
        " base-uri 'none'; frame-ancestors 'none'; connect-src 'self'")


def create_app(
    db_path: str | Path,
    *,
    auditors_per_item: int = 1,
    token: str | None = None,
    leads: tuple[str, ...] | list[str] = (),
    trusted_hosts: list[str] | None = None,
    secret_key: str | None = None,
) -> Flask:
    """The review app for the store at ``db_path`` (migrated on start)."""
    db_path = Path(db_path)
    Store.open(db_path, mode="rw").close()  # upgrade the schema before serving
    app = Flask(__name__, static_folder="static", template_folder="templates")
    conn = store.connect(db_path)
    try:
        app.secret_key = secret_key or store.secret_key(conn)
    finally:
        conn.close()
    app.config.update(
        SVMINE_DB=db_path, AUDITORS_PER_ITEM=max(1, int(auditors_per_item)), TOKEN=token or None,
        LEADS=tuple(leads), MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True, TRUSTED_HOSTS=trusted_hosts,
    )
    app.jinja_env.globals.update(label_names=LABEL_NAMES)
    _register_hooks(app)
    _register_routes(app)
    return app


# -- request plumbing -----------------------------------------------------------------------------------


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def _guard():
        if request.routing_exception is not None:
            raise request.routing_exception  # unknown URL, or a Host header not trusted: 404 / 400
        session.setdefault("csrf", secrets.token_urlsafe(32))
        if request.method == "POST":
            sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
            if not _same(sent, session["csrf"]):
                abort(400, "missing or wrong CSRF token: reload the page")
        if request.endpoint not in ("login", "static") and not session.get("auditor"):
            if request.method == "GET":
                return redirect(url_for("login"))
            abort(403, "log in first")
        return None

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.teardown_appcontext
    def _close(_exc):
        conn = g.pop("conn", None)
        if conn is not None:
            conn.close()

    @app.context_processor
    def _globals():
        auditor = session.get("auditor")
        return {"csrf_token": session.get("csrf", ""), "auditor": auditor, "is_lead": _is_lead(auditor)}


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison (bytes, so non-ASCII input is a mismatch, not an error)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _db():
    if "conn" not in g:
        g.conn = store.connect(_config("SVMINE_DB"))
    return g.conn


def _config(name: str):
    return current_app.config[name]


def _is_lead(auditor: str | None) -> bool:
    leads = _config("LEADS")
    return bool(auditor) and (not leads or auditor in leads)


def _filters(source) -> dict:
    found = {k: source.get(k, "").strip() for k in FILTER_KEYS if source.get(k, "").strip()}
    if found.get("document") and not found["document"].isdigit():
        found.pop("document")
    if found.get("status") not in store.STATUSES:
        found.pop("status", None)
    if found.get("order") not in store.ORDERS:
        found.pop("order", None)
    return found


def _queue_url(filters: dict, **extra) -> str:
    return url_for("queue", **filters, **extra)


# -- routes ---------------------------------------------------------------------------------------------


def _register_routes(app: Flask) -> None:
    app.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    app.add_url_rule("/logout", "logout", _logout, methods=["POST"])
    app.add_url_rule("/", "queue", _queue)
    app.add_url_rule("/decide", "decide", _decide, methods=["POST"])
    app.add_url_rule("/undo", "undo", _undo, methods=["POST"])
    app.add_url_rule("/doc/<int:doc_id>/page/<int:page>", "page_view", _page_view)
    app.add_url_rule("/doc/<int:doc_id>/page/<int:page>.png", "page_png", _page_png)
    app.add_url_rule("/add", "add", _add, methods=["POST"])
    app.add_url_rule("/conflicts", "conflicts", _conflicts)
    app.add_url_rule("/adjudicate", "adjudicate", _adjudicate, methods=["POST"])

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(409)
    @app.errorhandler(413)
    def _error(exc):
        if request_ctx.url_adapter is None:  # untrusted Host: no URLs can be built for a page
            return f"{exc.code}: {exc.description}\n", exc.code, {"Content-Type": "text/plain; charset=utf-8"}
        return render_template("error.html", code=exc.code, message=exc.description), exc.code


def _login():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        expected = _config("TOKEN")
        if not _AUDITOR_NAME.match(name):
            error = "Enter a name: letters, digits, spaces, . @ ' - (up to 40 characters)."
        elif expected and not _same(request.form.get("token", ""), expected):
            error = "Wrong access token."
        else:
            session.clear()
            session["auditor"] = name
            session["csrf"] = secrets.token_urlsafe(32)
            return redirect(url_for("queue"))
    return render_template("login.html", error=error, need_token=bool(_config("TOKEN"))), (400 if error else 200)


def _logout():
    session.clear()
    return redirect(url_for("login"))


def _queue():
    conn, auditor = _db(), session["auditor"]
    filters = _filters(request.args)
    status, order = filters.get("status", "todo"), filters.get("order", "document")
    n = _config("AUDITORS_PER_ITEM")
    item = None
    if request.args.get("key"):
        item = store.get_item(conn, request.args["key"])
    found, left = store.queue_page(conn, auditor, auditors_per_item=n, filters=filters, status=status, order=order)
    if item is None:
        item = found[0] if found else None
    context = {}
    if item:
        context = _item_context(conn, item)
    return render_template(
        "queue.html", item=item, filters=filters, status=status, order=order, options=store.filter_options(conn),
        left=left, recent=store.decisions_of(conn, auditor, 6), nonce=secrets.token_hex(16), relabel_keys=RELABEL_KEYS,
        auditors_per_item=n, **context,
    )


def _item_context(conn, item: dict) -> dict:
    """Pieces of the sentence and of the wider page context, to be escaped by the template."""
    out = {"decisions": store.item_decisions(conn, item["item_key"])}
    if item["item_type"] != "mention":
        return out
    text = store.page_text(conn, item["doc_id"], item["page"]) or ""
    s0, s1 = item["sentence_start"], item["sentence_end"]
    if text[s0:s1] != item["sentence"]:
        s0 = text.find(item["sentence"])
        s1 = s0 + len(item["sentence"])
    if s0 < 0:
        out["sentence_parts"] = _split(item["sentence"], item["text"])
        return out
    c0, c1 = max(0, s0 - CONTEXT_CHARS), min(len(text), s1 + CONTEXT_CHARS)
    before = ("…" if c0 else "") + text[c0:s0]
    out["context_parts"] = (before, text[s0:s1], text[s1:c1] + ("…" if c1 < len(text) else ""))
    start, end = item["start"] - s0, item["end"] - s0
    sentence = text[s0:s1]
    if 0 <= start <= end <= len(sentence):
        out["sentence_parts"] = (sentence[:start], sentence[start:end], sentence[end:])
    else:
        out["sentence_parts"] = _split(sentence, item["text"])
    return out


def _split(sentence: str, needle: str) -> tuple[str, str, str]:
    at = sentence.find(needle) if needle else -1
    if at < 0:
        return (sentence, "", "")
    return (sentence[:at], needle, sentence[at + len(needle):])


def _decide():
    conn, auditor = _db(), session["auditor"]
    item = store.get_item(conn, request.form.get("item_key", ""))
    if item is None:
        abort(404, "this item is no longer in the store (re-scanned?): reload the queue")
    action = request.form.get("action", "")
    decision, _, label = action.partition(":")
    if decision not in ("accept", "reject", "skip", "relabel") or (decision == "relabel") != bool(label):
        abort(400, f"unknown action {action!r}")
    if label and (label not in store.LABELS or item["item_type"] == "name_match"):
        abort(400, f"cannot relabel this item as {label!r}")
    store.record_decision(conn, item, auditor, decision, label or None, nonce=request.form.get("nonce") or None)
    return redirect(_queue_url(_filters(request.form)), code=303)


def _undo():
    undone = store.undo_last(_db(), session["auditor"], nonce=request.form.get("nonce") or None)
    filters = _filters(request.form)
    if undone and undone["item_type"] != "added":
        return redirect(_queue_url(filters, key=undone["item_key"]), code=303)
    return redirect(_queue_url(filters), code=303)


def _registered(doc_id: int) -> dict:
    doc = store.document(_db(), doc_id)
    if doc is None:
        abort(404, "no such document in the store")
    return doc


def _page_view(doc_id: int, page: int):
    conn, doc = _db(), _registered(doc_id)
    text = store.page_text(conn, doc_id, page)
    if text is None:
        abort(404, "no such page in the store")
    item = store.get_item(conn, request.args.get("key", "")) if request.args.get("key") else None
    if item and (item.get("doc_id") != doc_id or item.get("page") != page):
        item = None
    parts, boxes, image_error = (text, "", ""), [], None
    if item and item["item_type"] == "mention" and text[item["start"]:item["end"]] == item["text"]:
        parts = (text[: item["start"]], item["text"], text[item["end"]:])
    if doc["format"] == "pdf":
        try:
            if item and item["item_type"] == "mention":
                nth = pages.occurrence(text, item["text"], item["start"])
                boxes = pages.highlight_boxes(doc, page, item["text"], nth, db_path=_config("SVMINE_DB"))
            else:
                pages.check_pdf(doc)
        except pages.PageUnavailable as exc:
            image_error = str(exc)
    else:
        image_error = "no page image: not a PDF"
    return render_template(
        "page.html", doc=doc, page=page, parts=parts, boxes=boxes, item=item, image_error=image_error,
        filters=_filters(request.args), nonce=secrets.token_hex(16), add_labels=ADD_LABELS,
        added=request.args.get("added"),
    )


def _page_png(doc_id: int, page: int):
    doc = _registered(doc_id)
    try:
        path = pages.page_image(_config("SVMINE_DB"), doc, page)
    except pages.PageUnavailable as exc:
        abort(404, str(exc))
    return send_file(path, mimetype="image/png", max_age=3600)


def _add():
    conn = _db()
    doc = _registered(_int(request.form.get("doc_id")))
    page = _int(request.form.get("page"))
    text = store.page_text(conn, doc["id"], page)
    if text is None:
        abort(404, "no such page in the store")
    start, end = _int(request.form.get("start")), _int(request.form.get("end"))
    start, end = _align(text, start, end, request.form.get("text", ""))
    label = request.form.get("label", "")
    if label not in dict((lab, 1) for _, lab, _ in ADD_LABELS):
        abort(400, f"cannot add a mention labelled {label!r}")
    store.add_mention(conn, doc, page, start, end, label, session["auditor"], nonce=request.form.get("nonce") or None)
    filters = _filters(request.form)
    return redirect(url_for("page_view", doc_id=doc["id"], page=page, added=text[start:end][:80], **filters), code=303)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        abort(400, "expected a number")


def _align(text: str, start: int, end: int, selected: str) -> tuple[int, int]:
    """Trust the offsets when they hold the selected text; else find the selection nearest them
    (browsers normalise line endings, which can shift offsets)."""
    selected = selected.strip()
    if not selected:
        if 0 <= start < end <= len(text):
            return start, end
        abort(400, "select some page text first")
    if text[start:end].strip() == selected and 0 <= start < end <= len(text):
        lead = len(text[start:end]) - len(text[start:end].lstrip())
        return start + lead, start + lead + len(selected)
    hits = [m.start() for m in re.finditer(re.escape(selected), text)]
    if not hits:
        abort(400, "the selected text is not on this page")
    best = min(hits, key=lambda h: abs(h - start))
    return best, best + len(selected)


def _conflicts():
    if not _is_lead(session["auditor"]):
        abort(403, "only a lead auditor can adjudicate")
    return render_template("conflicts.html", conflicts=store.conflicts(_db()), nonce=secrets.token_hex(16),
                           relabel_keys=RELABEL_KEYS)


def _adjudicate():
    if not _is_lead(session["auditor"]):
        abort(403, "only a lead auditor can adjudicate")
    conn = _db()
    item = store.get_item(conn, request.form.get("item_key", ""))
    if item is None:
        abort(404, "this item is no longer in the store")
    label = request.form.get("label", "")
    allowed = set(store.LABELS) if item["item_type"] != "name_match" else {item.get("label"), store.NAME_REJECTED}
    if label not in allowed:
        abort(400, f"cannot settle this item as {label!r}")
    store.record_decision(conn, item, session["auditor"], "adjudicate", label, nonce=request.form.get("nonce") or None)
    return redirect(url_for("conflicts"), code=303)

