"""Forms of the imports area: upload a file, then confirm or cancel its preview."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired


class UploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")])
    submit = SubmitField("Check file")


class ConfirmForm(FlaskForm):
    """Carries the token of a pending upload; the file itself stays on the server."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Save all rows")


class CancelForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Cancel")
