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
  transactions (see ``svmine.store.review``) and each form carries a nonce (unique per
  auditor), so a doubled submit is stored once, and the item's version (``seen``), so a decision
  made on a stale page is answered 409 with who decided what, never stored over it silently.
- ``leads``: auditors who may adjudicate conflicts; when none are named, every auditor may. A
  lead logs in with their own token (see ``svmine.review.security``), not the shared one.
- Bad values in URLs and forms (huge integers, "²", negative numbers, unknown ids) are 404 for
  things that are looked up (documents, pages, items) and 400 for malformed form fields; they
  never reach SQLite as out-of-range integers, so they are never a 500.
- Documents are named by file name (the shortest path suffix that is unique in the store), not
  by the PDF's metadata title, which is often a template's ("Report template") or missing.
- Uncertain footprint placements (attribution status ``review``) are settled on the Placements
  page: confirm the proposed footprint, pick one from the reference list, or place it nowhere.
- Commissioner assessments (``svmine assess``) are checked on the Assessments page: an auditor
  overrides one scale's rating at a time (see ``svmine.review.assessments``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from collections import Counter
from pathlib import Path, PurePath
from urllib.parse import quote

from flask import Flask, abort, current_app, g, redirect, render_template, request, send_file, session, url_for
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, ValidationError

from svmine.model import LABEL_EXPLICIT, LABEL_IMPLICIT, LABEL_OTHER, LABEL_VCSE, LABELS
from svmine.assess.model import OVERRIDE_ITEM_TYPE, SCALES, check_rating, parse_override_key
from svmine.review import assessments, pages, security
from svmine.store import Store, decisions, placements, review
from svmine.store import assessments as assessment_store

MAX_REQUEST_BYTES = 64 * 1024
FILTER_KEYS = ("document", "footprint", "category", "source", "status", "order")
RELABEL_KEYS = (("1", LABEL_EXPLICIT, "SV explicit"), ("2", LABEL_IMPLICIT, "SV implicit"),
                ("3", LABEL_VCSE, "VCSE"), ("0", LABEL_OTHER, "Other"))
ADD_LABELS = RELABEL_KEYS[:3]
LABEL_NAMES = {label: name for _, label, name in RELABEL_KEYS}
CONTEXT_CHARS = 400
_AUDITOR_NAME = re.compile(r"^[\w][\w .@'-]{0,39}$")
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self';"
        " base-uri 'none'; frame-ancestors 'none'; connect-src 'self'")


LOGIN_LIMITS = {"per_name": 5, "per_address": 20, "window": 300.0}  # failed logins per 5 minutes


class _IdConverter(BaseConverter):
    """A path integer that SQLite can hold: ASCII digits only, at most 18 of them."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        number = review.safe_int(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def create_app(
    db_path: str | Path,
    *,
    auditors_per_item: int = 1,
    token: str | None = None,
    leads: tuple[str, ...] | list[str] = (),
    loopback_only: bool = False,
    secret_key: str | None = None,
    login_limits: dict | None = None,
) -> Flask:
    """The review app for the store at ``db_path`` (migrated on start). ``loopback_only``: answer
    only requests whose Host header is a loopback name or address (the server binds loopback)."""
    db_path = Path(os.path.abspath(db_path))  # the page cache sits beside it whatever the working folder
    with Store.connect(db_path, mode="rw") as db:  # upgrades the schema before serving
        app_secret = secret_key or review.secret_key(db)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.url_map.converters["id"] = _IdConverter
    app.secret_key = app_secret
    names = {}
    for name in leads:
        names.setdefault(name.strip().casefold(), name.strip())
    limits = {**LOGIN_LIMITS, **(login_limits or {})}
    app.config.update(
        SVMINE_DB=db_path, AUDITORS_PER_ITEM=max(1, int(auditors_per_item)), TOKEN=token or None,
        LEADS=tuple(names.values()), MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True, LOOPBACK_ONLY=bool(loopback_only),
        LEAD_TOKENS={key: (name, security.lead_token(app.secret_key, name)) for key, name in names.items()},
        NAME_THROTTLE=security.LoginThrottle(limits["per_name"], limits["window"]),
        ADDRESS_THROTTLE=security.LoginThrottle(limits["per_address"], limits["window"]),
    )
    app.jinja_env.globals.update(label_names=LABEL_NAMES)
    _register_hooks(app)
    _register_routes(app)
    return app


def lead_tokens(app: Flask) -> dict[str, str]:
    """Each lead auditor's name -> the token they log in with (printed by ``svmine review``)."""
    return dict(app.config["LEAD_TOKENS"].values())


# -- request plumbing -----------------------------------------------------------------------------------


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def _guard():
        if current_app.config["LOOPBACK_ONLY"] and not security.host_is_loopback(request.headers.get("Host")):
            g.bad_host = True  # no page with links for a name that is not ours
            abort(400, "this review server answers only on its loopback address (Host header refused)")
        if request.routing_exception is not None:
            raise request.routing_exception  # unknown URL: 404
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
        db = g.pop("store", None)
        if db is not None:
            db.close()

    @app.context_processor
    def _globals():
        auditor = session.get("auditor")
        known = auditor and not g.get("bad_host")
        unsettled = placements.unsettled_placements(_db()) if known else 0
        assessed = assessment_store.assessment_counts(_db()) if known else (0, 0)
        return {"csrf_token": session.get("csrf", ""), "auditor": auditor, "is_lead": _is_lead(auditor),
                "unsettled_placements": unsettled, "assessed": assessed}


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison (bytes, so non-ASCII input is a mismatch, not an error)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _db():
    if "store" not in g:
        g.store = Store.connect(_config("SVMINE_DB"))
    return g.store


def _config(name: str):
    return current_app.config[name]


def _is_lead(auditor: str | None) -> bool:
    """With leads named, only a session that logged in with the lead's current token: a session
    opened under the same name before that name became a lead (or under another store secret)
    gets no lead rights."""
    leads = _config("LEADS")
    if not auditor:
        return False
    if not leads:
        return True
    lead = _config("LEAD_TOKENS").get(auditor.casefold())
    return lead is not None and _same(session.get("lead_proof", ""), _lead_proof(lead[1]))


def _lead_proof(token: str) -> str:
    """What a lead's session keeps of their token (the cookie is signed, not secret: no token in it)."""
    return hashlib.sha256(f"lead-session:{token}".encode()).hexdigest()[:32]


def _filters(source) -> dict:
    found = {k: source.get(k, "").strip() for k in FILTER_KEYS if source.get(k, "").strip()}
    if found.get("document") and review.safe_int(found["document"]) is None:
        found.pop("document")
    if found.get("status") not in review.STATUSES:
        found.pop("status", None)
    if found.get("order") not in review.ORDERS:
        found.pop("order", None)
    return found


def _queue_url(filters: dict, **extra) -> str:
    return url_for("queue", **filters, **extra)


def short_names(paths) -> dict[str, str]:
    """path -> its shortest suffix of path parts that no other path ends with (the file name,
    unless two files share it); one pass per suffix length, so thousands of paths stay fast."""
    parts = {p: PurePath(p).parts or (p,) for p in dict.fromkeys(paths)}
    out: dict[str, str] = {}
    depth = 1
    while len(out) < len(parts):
        counts = Counter(ps[-depth:] for ps in parts.values())
        for path, ps in parts.items():
            if path not in out and (counts[ps[-depth:]] == 1 or depth >= len(ps)):
                out[path] = "/".join(ps[-depth:]) if depth < len(ps) else path
        depth += 1
    return {path: out[path] for path in parts}


def _doc_names() -> dict[str, str]:
    if "doc_names" not in g:
        g.doc_names = short_names(review.document_paths(_db()))
    return g.doc_names


def _docname(path: str | None) -> str:
    return _doc_names().get(path, PurePath(path).name if path else "") if path else ""


def _seen(value) -> int | None:
    """The item version a form was drawn with (absent: no staleness check, as for scripts)."""
    if value in (None, ""):
        return None
    number = review.safe_int(value)
    if number is None:
        abort(400, "malformed form: seen must be a number")
    return number


# -- routes ---------------------------------------------------------------------------------------------


def _register_routes(app: Flask) -> None:
    app.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    app.add_url_rule("/logout", "logout", _logout, methods=["POST"])
    app.add_url_rule("/", "queue", _queue)
    app.add_url_rule("/decide", "decide", _decide, methods=["POST"])
    app.add_url_rule("/undo", "undo", _undo, methods=["POST"])
    app.add_url_rule("/doc/<id:doc_id>/page/<id:page>", "page_view", _page_view)
    app.add_url_rule("/doc/<id:doc_id>/page/<id:page>.png", "page_png", _page_png)
    app.add_url_rule("/add", "add", _add, methods=["POST"])
    app.add_url_rule("/conflicts", "conflicts", _conflicts)
    app.add_url_rule("/adjudicate", "adjudicate", _adjudicate, methods=["POST"])
    app.add_url_rule("/placements", "placements", _placements)
    app.add_url_rule("/place", "place", _place, methods=["POST"])
    app.add_url_rule("/assessments", "assessments", _assessments)
    app.add_url_rule("/override", "override", _override, methods=["POST"])
    app.jinja_env.globals.update(docname=_docname)

    @app.errorhandler(review.DecisionConflict)
    def _conflict(exc):
        return _error_page(409, str(exc))

    @app.errorhandler(HTTPException)
    def _error(exc):
        if exc.code is None or exc.code < 400:
            return exc
        return _error_page(exc.code, exc.description, getattr(exc, "retry_after", None))


def _error_page(code: int, message: str, retry_after: int | None = None):
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    if request_ctx.url_adapter is None or g.get("bad_host"):  # no page with links for a foreign Host
        return f"{code}: {message}\n", code, {"Content-Type": "text/plain; charset=utf-8", **headers}
    return render_template("error.html", code=code, message=message), code, headers


class _TooManyAttempts(HTTPException):
    code = 429

    def __init__(self, description: str, retry_after: int):
        super().__init__(description)
        self.retry_after = retry_after


def _login():
    error = None
    need_token = bool(_config("TOKEN") or _config("LEADS"))
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        if not _AUDITOR_NAME.match(name):
            error = "Enter a name: letters, digits, spaces, . @ ' - (up to 40 characters)."
        else:
            name_key, address_key = name.casefold(), request.remote_addr or "-"
            wait = max(_config("NAME_THROTTLE").retry_after(name_key),
                       _config("ADDRESS_THROTTLE").retry_after(address_key))
            if wait:
                raise _TooManyAttempts(f"too many failed logins for this name or from this address:"
                                       f" try again in {wait} s", wait)
            lead = _config("LEAD_TOKENS").get(name_key)
            expected = lead[1] if lead else _config("TOKEN")
            if expected and not _same(request.form.get("token", ""), expected):
                _config("NAME_THROTTLE").failed(name_key)
                _config("ADDRESS_THROTTLE").failed(address_key)
                error = ("This name belongs to a lead auditor: enter your lead token." if lead
                         else "Wrong access token.")
            else:
                _config("NAME_THROTTLE").clear(name_key)
                session.clear()
                session["auditor"] = lead[0] if lead else name
                session["csrf"] = secrets.token_urlsafe(32)
                if lead:
                    session["lead_proof"] = _lead_proof(lead[1])
                return redirect(url_for("queue"))
    return render_template("login.html", error=error, need_token=need_token,
                           has_leads=bool(_config("LEADS")), has_shared=bool(_config("TOKEN"))), (400 if error else 200)


def _logout():
    session.clear()
    return redirect(url_for("login"))


def _queue():
    db, auditor = _db(), session["auditor"]
    filters = _filters(request.args)
    status, order = filters.get("status", "todo"), filters.get("order", "document")
    n = _config("AUDITORS_PER_ITEM")
    item = None
    if request.args.get("key"):
        item = review.get_item(db, request.args["key"])
    found, left = review.queue_page(db, auditor, auditors_per_item=n, filters=filters, status=status, order=order)
    if item is None:
        item = found[0] if found else None
    context = {}
    if item:
        context = _item_context(db, item)
        context["seen"] = review.item_version(db, item["item_key"])
    options = review.filter_options(db)
    names = short_names(d["path"] for d in options["documents"])
    for d in options["documents"]:
        d["name"] = names[d["path"]]
    options["documents"].sort(key=lambda d: (d["name"].casefold(), d["path"]))
    return render_template(
        "queue.html", item=item, filters=filters, status=status, order=order, options=options,
        left=left, recent=review.decisions_of(db, auditor, 6), nonce=secrets.token_hex(16), relabel_keys=RELABEL_KEYS,
        auditors_per_item=n, **context,
    )


def _item_context(db, item: dict) -> dict:
    """Pieces of the sentence and of the wider page context, to be escaped by the template."""
    out = {"decisions": review.item_decisions(db, item["item_key"])}
    if item["item_type"] != "mention":
        return out
    text = review.page_text(db, item["doc_id"], item["page"]) or ""
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
    db, auditor = _db(), session["auditor"]
    item = review.get_item(db, request.form.get("item_key", ""))
    if item is None:
        abort(404, "this item is no longer in the store (re-scanned?): reload the queue")
    action = request.form.get("action", "")
    decision, _, label = action.partition(":")
    if decision not in ("accept", "reject", "skip", "relabel") or (decision == "relabel") != bool(label):
        abort(400, f"unknown action {action!r}")
    if label and (label not in LABELS or item["item_type"] == "name_match"):
        abort(400, f"cannot relabel this item as {label!r}")
    review.record_decision(db, item, auditor, decision, label or None, nonce=request.form.get("nonce") or None,
                          seen=_seen(request.form.get("seen")), quota=_config("AUDITORS_PER_ITEM"))
    return redirect(_queue_url(_filters(request.form)), code=303)


def _undo():
    undone = review.undo_last(_db(), session["auditor"], nonce=request.form.get("nonce") or None)
    filters = _filters(request.form)
    if undone and undone["item_type"] == OVERRIDE_ITEM_TYPE:  # back to the rating it restored
        org_code = parse_override_key(undone["item_key"])[0]
        return redirect(_assessments_url(org_code, request.form.get("review") == "1"), code=303)
    if undone and undone["item_type"] != "added":
        return redirect(_queue_url(filters, key=undone["item_key"]), code=303)
    return redirect(_queue_url(filters), code=303)


def _registered(doc_id) -> dict:
    doc = review.document(_db(), doc_id) if review.safe_int(doc_id) is not None else None
    if doc is None:
        abort(404, "no such document in the store")
    return doc


def _page_view(doc_id: int, page: int):
    db, doc = _db(), _registered(doc_id)
    text = review.page_text(db, doc_id, page)
    if text is None:
        abort(404, "no such page in the store")
    item = review.get_item(db, request.args.get("key", "")) if request.args.get("key") else None
    if item and (item.get("doc_id") != doc_id or item.get("page") != page):
        item = None
    parts, boxes, image_error = (text, "", ""), [], None
    if item and item["item_type"] == "mention" and text[item["start"]:item["end"]] == item["text"]:
        parts = (text[: item["start"]], item["text"], text[item["end"]:])
    span = None if item else _signal_span(text)  # an assessment signal's sentence
    if span:
        parts = (text[: span[0]], text[span[0]:span[1]], text[span[1]:])
    seen = review.item_version(db, item["item_key"]) if item else None
    if doc["format"] == "pdf":
        try:
            if item and item["item_type"] == "mention":
                nth = pages.occurrence(text, item["text"], item["start"])
                boxes = pages.highlight_boxes(doc, page, item["text"], nth, db_path=_config("SVMINE_DB"))
            elif span:
                nth = pages.occurrence(text, parts[1], span[0])
                boxes = pages.highlight_boxes(doc, page, parts[1], nth, db_path=_config("SVMINE_DB"))
            else:
                pages.check_pdf(doc)
        except pages.PageUnavailable as exc:
            image_error = str(exc)
    else:
        image_error = None  # text documents: the page text is the page, shown full width
    return render_template(
        "page.html", doc=doc, page=page, parts=parts, boxes=boxes, item=item, image_error=image_error, seen=seen,
        filters=_filters(request.args), nonce=secrets.token_hex(16), add_labels=ADD_LABELS,
        added=request.args.get("added"), back_org=_back_org() if span else None,
    )


def _back_org() -> str | None:
    """The organisation a signal link came from, when it is one the store assessed (no text from
    the URL is echoed otherwise)."""
    org_code = request.args.get("org", "")
    return org_code if org_code and assessment_store.has_assessment(_db(), org_code) else None


def _signal_span(text: str) -> tuple[int, int] | None:
    """The ``start``/``end`` query arguments when they are a non-empty range of the page text
    (the Assessments page links a signal's sentence so); anything else is ignored."""
    start, end = review.safe_int(request.args.get("start")), review.safe_int(request.args.get("end"))
    if start is None or end is None or not 0 <= start < end <= len(text):
        return None
    return start, end


def _page_png(doc_id: int, page: int):
    doc = _registered(doc_id)
    try:
        path = pages.page_image(_config("SVMINE_DB"), doc, page)
    except pages.PageUnavailable as exc:
        abort(404, str(exc))
    return send_file(path, mimetype="image/png", max_age=3600)


def _add():
    db = _db()
    doc = _registered(request.form.get("doc_id", ""))
    text = review.page_text(db, doc["id"], request.form.get("page", ""))
    if text is None:
        abort(404, "no such page in the store")
    page = int(request.form["page"])
    start, end = _int(request.form.get("start")), _int(request.form.get("end"))
    start, end = _align(text, start, end, request.form.get("text", ""))
    label = request.form.get("label", "")
    if label not in dict((lab, 1) for _, lab, _ in ADD_LABELS):
        abort(400, f"cannot add a mention labelled {label!r}")
    review.add_mention(db, doc, page, start, end, label, session["auditor"], nonce=request.form.get("nonce") or None)
    filters = _filters(request.form)
    return redirect(url_for("page_view", doc_id=doc["id"], page=page, added=text[start:end][:80], **filters), code=303)


def _int(value) -> int:
    number = review.safe_int(value)
    if number is None:
        abort(400, "expected a number (digits 0-9)")
    return number


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
    db = _db()
    found = decisions.conflicts(db)
    for c in found:
        c["seen"] = review.item_version(db, c["item_key"])
    return render_template("conflicts.html", conflicts=found, nonce=secrets.token_hex(16), relabel_keys=RELABEL_KEYS)


def _adjudicate():
    if not _is_lead(session["auditor"]):
        abort(403, "only a lead auditor can adjudicate")
    db = _db()
    item = review.get_item(db, request.form.get("item_key", ""))
    if item is None:
        abort(404, "this item is no longer in the store")
    label = request.form.get("label", "")
    allowed = set(LABELS) if item["item_type"] != "name_match" else {item.get("label"), review.NAME_REJECTED}
    if label not in allowed:
        abort(400, f"cannot settle this item as {label!r}")
    review.record_decision(db, item, session["auditor"], "adjudicate", label, nonce=request.form.get("nonce") or None,
                          seen=_seen(request.form.get("seen")))
    return redirect(url_for("conflicts"), code=303)


# -- footprint placements ---------------------------------------------------------------------------


def _footprint_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """(region, [(code, name)]) of the reference's footprints, regions in the report's order."""
    if "footprints" not in current_app.extensions.setdefault("svmine", {}):
        from svmine.footprints.reference import load_reference

        ref = load_reference()
        groups: dict[str, list[tuple[str, str]]] = {}
        for stp in sorted(ref.stps.values(), key=lambda s: (ref.regions[s.region_code].order, s.name)):
            groups.setdefault(ref.regions[stp.region_code].short_name, []).append((stp.code, stp.name))
        current_app.extensions["svmine"]["footprints"] = list(groups.items())
    return current_app.extensions["svmine"]["footprints"]


def _footprint_names() -> dict[str, str]:
    return {code: name for _, members in _footprint_choices() for code, name in members}


def _candidates(evidence: str | None, names: dict[str, str]) -> list[dict]:
    """The footprints the attribution's evidence voted for, most named first, each with the
    names found and their pages (the evidence is the attribution's JSON list; anything else: [])."""
    try:
        found = json.loads(evidence or "[]")
    except ValueError:
        return []
    by_code: dict[str, list] = {}
    for hit in found if isinstance(found, list) else []:
        if not isinstance(hit, dict):
            continue
        for code in hit.get("votes_for") or [hit.get("code")]:
            if code in names:
                by_code.setdefault(code, []).append((str(hit.get("text", "")), hit.get("page")))
    ranked = sorted(by_code.items(), key=lambda kv: -len(kv[1]))
    return [{"code": code, "name": names[code], "hits": hits} for code, hits in ranked]


def _placements():
    everything = request.args.get("all") == "1"
    names = _footprint_names()
    docs = placements.placements(_db(), everything=everything)
    for doc in docs:
        doc["candidates"] = _candidates(doc["footprint_evidence"], names)
    return render_template("placements.html", docs=docs,
                           everything=everything, choices=_footprint_choices(), names=_footprint_names(),
                           nowhere=placements.PLACED_NOWHERE, nonce=secrets.token_hex(16))


def _place():
    db = _db()
    doc = _registered(request.form.get("doc_id", ""))
    action = request.form.get("action", "")
    if action == "confirm":
        code = doc["footprint_code"]
        if not code:
            abort(400, "this document has no proposed footprint to confirm: pick one")
    elif action == "pick":
        code = request.form.get("code", "").strip()
    elif action == "nowhere":
        code = placements.PLACED_NOWHERE
    else:
        abort(400, f"unknown action {action!r}")
    if code != placements.PLACED_NOWHERE and code not in _footprint_names():
        abort(400, f"{code!r} is not a footprint of the reference list")
    full = next((d for d in placements.placements(db, everything=True) if d["id"] == doc["id"]), None)
    placements.record_placement(db, full or doc, session["auditor"], code, nonce=request.form.get("nonce") or None,
                           seen=_seen(request.form.get("seen")))
    everything = {"all": "1"} if request.form.get("all") == "1" else {}
    return redirect(url_for("placements", **everything) + f"#doc-{doc['id']}", code=303)


# -- commissioner assessments -------------------------------------------------------------------


def _assessments():
    to_review = request.args.get("review") == "1"
    cards = assessments.organisation_cards(_db(), to_review_only=to_review)
    return render_template("assessments.html", cards=cards, to_review=to_review, scales=SCALES,
                           note_max=assessments.NOTE_MAX, nonce=secrets.token_hex(16))


def _assessments_url(org_code: str, to_review: bool) -> str:
    return url_for("assessments", **({"review": "1"} if to_review else {})) + "#org-" + quote(org_code, safe="")


def _override():
    db = _db()
    org_code = request.form.get("org_code", "")
    if not assessment_store.has_assessment(db, org_code):
        abort(404, "no assessment of this organisation in the store (assess re-run?): reload the page")
    scale, rating = request.form.get("scale", ""), request.form.get("rating", "")
    try:
        check_rating(scale, rating)
    except ValueError as exc:
        abort(400, str(exc))
    note = request.form.get("note", "").strip()
    if len(note) > assessments.NOTE_MAX:
        abort(400, f"the note is longer than {assessments.NOTE_MAX} characters")
    assessment_store.record_override(db, org_code, scale, rating, session["auditor"], note,
                                     nonce=request.form.get("nonce") or None, seen=_seen(request.form.get("seen")))
    return redirect(_assessments_url(org_code, request.form.get("review") == "1"), code=303)
