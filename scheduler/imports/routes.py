"""CSV imports of learners, cohorts and facilitators: upload, preview, then confirm.

Uploading checks the whole file and shows what it would create and update, or every bad row
by line and column. A file exported by an HR system in its own layout is first mapped to our
columns, once per layout (the mapping is saved). Nothing is saved until the coordinator confirms,
and then all rows are saved in one transaction or none are.
"""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from scheduler.access import coordinator_required
from scheduler.extensions import db
from scheduler.imports import pending
from scheduler.imports.csv_formats import FORMATS, ImportFormat, NotUtf8
from scheduler.imports.forms import CancelForm, ConfirmForm, UploadForm, column_mapping_form
from scheduler.imports.layouts import header_of, read_export
from scheduler.imports.mapping import guess, problems, remap
from scheduler.imports.operations import apply_import, save_mapping
from scheduler.imports.preview import ImportPreview, preview_import
from scheduler.imports.util import in_our_format

bp = Blueprint("imports", __name__, url_prefix="/imports")

#: How many planned rows and errors the preview page lists (the counts are always complete).
SHOWN_ROWS = 100
SHOWN_ERRORS = 300
# The preview page holds both forms: prefixes keep their field names and HTML ids apart.
CONFIRM, CANCEL = "confirm", "cancel"


def _format_or_404(kind: str) -> ImportFormat:
    fmt = FORMATS.get(kind)
    if fmt is None:
        abort(404)
    return fmt


def _megabytes(size: int) -> str:
    """A byte count as coordinators read it: "10 MB", "512 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(size / 1024, 0.1):.3g} KB"


@bp.route("")
@coordinator_required
def index():
    """The three kinds of import with their header rows and templates."""
    return render_template("imports/index.html", formats=FORMATS.values())


@bp.route("/<kind>/template.csv")
@coordinator_required
def template(kind: str):
    """A CSV file with the documented header row and one example row."""
    fmt = _format_or_404(kind)
    return Response(
        fmt.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{fmt.kind}-template.csv"'},
    )


@bp.route("/<kind>", methods=["GET", "POST"])
@coordinator_required
def upload(kind: str):
    """The upload form of one kind; a posted file is checked and previewed, not saved."""
    fmt = _format_or_404(kind)
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(fmt, form)
    limit = current_app.config["IMPORT_MAX_BYTES"]
    content = form.file.data.read(limit + 1)
    if len(content) > limit:
        form.file.errors.append(
            f"The file is larger than {_megabytes(limit)}; split it into smaller files."
        )
        return _upload_page(fmt, form, status=413)
    filename = form.file.data.filename or "upload.csv"
    text = _text_of(content)
    if text is None:
        return _preview_page(preview_import(fmt, content), filename, None)
    ours = in_our_format(fmt, text)
    if ours is None:  # an HR export of a layout never mapped: map it once
        token = pending.save(fmt.kind, current_user.id, filename, text)
        return redirect(url_for(".map_columns", kind=fmt.kind, token=token))
    return _checked(fmt, filename, text, ours)


def _text_of(content: bytes) -> str | None:
    """The uploaded file as comma-separated text; ``None`` if it is empty or cannot be
    decoded (the preview then says so with the line)."""
    try:
        return read_export(content) if content else None
    except NotUtf8:
        return None


def _checked(fmt: ImportFormat, filename: str, text: str, ours: str, token: str | None = None):
    """The preview of a file (``ours``: its rows in our columns); a good one is kept, as
    uploaded, until confirmed, and the saved mapping is applied again on confirm."""
    preview = preview_import(fmt, ours)
    mapped = ours is not text
    # A mapped file is kept even when it has errors: the fault may be the mapping, which the
    # coordinator can then change without uploading again. Confirming checks it all again.
    if token is None and (preview.ok or mapped):
        token = pending.save(fmt.kind, current_user.id, filename, text)
    return _preview_page(preview, filename, token, mapped=mapped)


@bp.route("/<kind>/columns/<token>", methods=["GET", "POST"])
@coordinator_required
def map_columns(kind: str, token: str):
    """Map an HR export's columns to ours, once per layout; then check the file."""
    fmt = _format_or_404(kind)
    upload = pending.load(token, current_user.id)
    if upload is None or upload.kind != fmt.kind:
        flash("This upload has expired or was already saved; upload the file again.", "error")
        return redirect(url_for(".upload", kind=kind))
    header = header_of(upload.text)
    rows = list(csv.reader(io.StringIO(upload.text, newline="")))[1:6]
    form = column_mapping_form(fmt, header, rows[0] if rows else [], guess(fmt, header, rows))
    if form.validate_on_submit():
        mapping = form.mapping(fmt)
        for column, message in problems(fmt, mapping).items():
            form.source_fields(column)[0].errors.append(message)
        if not any(f.errors for f in form):
            save_mapping(fmt.kind, header, mapping, current_user.id)
            db.session.commit()
            return _checked(
                fmt, upload.filename, upload.text, remap(fmt, mapping, upload.text), token
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "imports/columns.html", fmt=fmt, form=form, filename=upload.filename, header=header
    ), status


def _upload_page(fmt: ImportFormat, form: UploadForm, status: int = 200):
    limit = _megabytes(current_app.config["IMPORT_MAX_BYTES"])
    return render_template("imports/upload.html", fmt=fmt, form=form, limit=limit), status


def _preview_page(
    preview: ImportPreview, filename: str, token: str | None, status: int = 200, mapped=False
):
    return (
        render_template(
            "imports/preview.html",
            preview=preview,
            fmt=preview.fmt,
            filename=filename,
            confirm_form=ConfirmForm(token=token, formdata=None, prefix=CONFIRM),
            cancel_form=CancelForm(token=token, formdata=None, prefix=CANCEL),
            upload_form=UploadForm(formdata=None),
            token=token,
            shown_rows=SHOWN_ROWS,
            shown_errors=SHOWN_ERRORS,
            mapped=mapped,
        ),
        status,
    )


@bp.route("/confirm", methods=["POST"])
@coordinator_required
def confirm():
    """Save a previewed file: checked again, then saved completely or not at all."""
    form = ConfirmForm(prefix=CONFIRM)
    upload = pending.load(form.token.data, current_user.id) if form.validate_on_submit() else None
    if upload is None:
        flash("This preview has expired or was already saved; upload the file again.", "error")
        return redirect(url_for(".index"))
    fmt = FORMATS[upload.kind]
    ours = in_our_format(fmt, upload.text)
    if ours is None:  # its mapping is gone (a header change of the same token cannot happen)
        return redirect(url_for(".map_columns", kind=fmt.kind, token=upload.token))
    preview = preview_import(fmt, ours)
    if not preview.ok:
        # The database changed since the preview (a site deleted, an e-mail taken).
        pending.discard(upload.token)
        return _preview_page(preview, upload.filename, None, status=409)
    try:
        counts = apply_import(preview)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash("Someone changed the same records meanwhile; nothing was saved. Try again.", "error")
        return redirect(url_for(".upload", kind=upload.kind))
    pending.discard(upload.token)
    flash(
        f"{upload.filename} saved: {counts['create']} {preview.fmt.kind} created, "
        f"{counts['update']} updated, {counts['unchanged']} unchanged.",
        "success",
    )
    return redirect(url_for(".upload", kind=upload.kind))


@bp.route("/cancel", methods=["POST"])
@coordinator_required
def cancel():
    """Forget a previewed file without saving anything."""
    form = CancelForm(prefix=CANCEL)
    upload = pending.load(form.token.data, current_user.id) if form.validate_on_submit() else None
    if upload is not None:
        pending.discard(upload.token)
    flash("Import cancelled; nothing was saved.", "info")
    return redirect(url_for(".index"))


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(error):
    """Uploads over MAX_CONTENT_LENGTH are refused before the view runs: say so clearly."""
    fmt = FORMATS.get((request.view_args or {}).get("kind", ""))
    if fmt is None:
        return render_template("imports/too_large.html"), 413
    form = UploadForm(formdata=None)
    form.file.errors = [
        f"The file is larger than {_megabytes(current_app.config['IMPORT_MAX_BYTES'])}; "
        "split it into smaller files."
    ]
    return _upload_page(fmt, form, status=413)
