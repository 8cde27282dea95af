"""The 資源一覧 tab: the region's list of medical and care providers (task ア)."""
