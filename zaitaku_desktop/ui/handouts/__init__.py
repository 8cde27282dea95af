"""配布物スタジオ: printed handouts (flyer, pamphlet, directory, emergency sheet, update forms) with a preview."""
