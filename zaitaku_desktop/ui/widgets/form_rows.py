"""A form row with its own inline error line, shared by the record forms (resources, issues, meetings)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QTabWidget, QVBoxLayout, QWidget

ERROR_STYLE = "color:#c62828;"


def add_field_row(form: QFormLayout, label: str, widget: QWidget, field: str,
                  error_labels: dict[str, QLabel]) -> QLabel:
    """Add ``widget`` under ``label`` with a hidden error line below it (objectName ``error_<field>``)."""
    box = QWidget(widget.parentWidget())
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(1)
    column.addWidget(widget)
    error = QLabel("", box)
    error.setObjectName(f"error_{field}")
    error.setWordWrap(True)
    error.setStyleSheet(ERROR_STYLE)
    error.hide()
    column.addWidget(error)
    error_labels[field] = error
    form.addRow(label, box)
    return error


def tabbed_form_shell(dialog: QWidget, tabs_name: str) -> tuple[QVBoxLayout, QLabel, QTabWidget]:
    """The frame of a tabbed record form: a hidden red summary line (which tabs hold errors) above the tabs."""
    outer = QVBoxLayout(dialog)
    summary = QLabel("", dialog)
    summary.setObjectName("formSummary")
    summary.setWordWrap(True)
    summary.setStyleSheet(ERROR_STYLE)
    summary.hide()
    outer.addWidget(summary)
    tabs = QTabWidget(dialog)
    tabs.setObjectName(tabs_name)
    outer.addWidget(tabs, 1)
    return outer, summary, tabs


def password_edit(parent: QWidget, name: str) -> QLineEdit:
    """A field whose characters show as dots (passwords, passphrases), named for tests and style sheets."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit
