"""The trained classifier and the labelled corpus it learns from (scikit-learn)."""
