"""Detection: Sigma rules to queries, the engine that runs them, incidents, anomalies, reports."""
