"""Community health analytics: live metrics read from the rollups (`metrics`, `activity`),
member segments and cohorts, the health score, the lifecycle stage, the heat-death warning,
and the report. Definitions: docs/metrics.md."""
