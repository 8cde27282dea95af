"""The 課題ボード tab (task イ): issues by profession × layer, a kanban by status, needs matching."""
