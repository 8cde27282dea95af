"""A clear 'not built yet' page for tabs whose features come later."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPage(QWidget):
    def __init__(self, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("placeholder")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        label = QLabel(f"<h2>{title}</h2><p>この機能は準備中です。</p><p>{description}</p>", self)
        label.setObjectName("placeholderText")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addStretch(2)
