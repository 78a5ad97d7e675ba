"""The model: features, estimators, neighbours, the suggester, training and its choices,
evaluation, and model folders as plain data."""
