"""Forms of the imports area: upload a file, map an HR export's columns, then confirm or cancel
its preview."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from scheduler.imports.csv_formats import ImportFormat
from scheduler.imports.mapping import DATE_FORMATS, NAME_ORDERS, PARTS, ColumnMapping


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


class ColumnMappingForm(FlaskForm):
    """Which of the file's columns holds each of ours; fields are added per format."""

    date_format = SelectField(
        "Dates are written",
        choices=[SelectChoice(key, label) for key, (label, _) in DATE_FORMATS.items()],
    )
    name_order = SelectField(
        "Names are written",
        choices=[SelectChoice(key, label) for key, label in NAME_ORDERS.items()],
    )
    submit = SubmitField("Save mapping and check file")

    def source_fields(self, column: str) -> list:
        """The select fields of one of our columns (two for a name: first and last)."""
        names = [f"col_{column}"] + [
            f"col_{column}_{part}" for part in range(2, 1 + PARTS.get(column, 1))
        ]
        return [self[name] for name in names]

    def mapping(self, fmt: ImportFormat) -> ColumnMapping:
        columns = {
            column: [f.data for f in self.source_fields(column) if f.data] for column in fmt.header
        }
        return ColumnMapping(columns, self.date_format.data, self.name_order.data)


def column_mapping_form(
    fmt: ImportFormat, header: list[str], sample: list[str], guessed: ColumnMapping, **kwargs
) -> ColumnMappingForm:
    """The mapping form for ``fmt`` and a file with ``header``: each select offers the file's
    columns with the first row's value, and starts at ``guessed``."""
    choices = [SelectChoice("", "(not in the file)")]
    for position, name in enumerate(header):
        example = sample[position].strip() if position < len(sample) else ""
        shown = f"{name} (e.g. {example[:40]})" if example else name
        choices.append(SelectChoice(name, shown))

    class Form(ColumnMappingForm):
        pass

    for column in fmt.header:
        guesses = guessed.columns.get(column, [])
        for part in range(1, 1 + PARTS.get(column, 1)):
            name = f"col_{column}" if part == 1 else f"col_{column}_{part}"
            label = column if part == 1 else f"{column}, second part (e.g. last name)"
            default = guesses[part - 1] if part <= len(guesses) else ""
            setattr(Form, name, SelectField(label, choices=choices, default=default))
    form = Form(**kwargs)
    if not form.is_submitted():
        form.date_format.data = guessed.date_format
        form.name_order.data = guessed.name_order
    return form
