"""The routine: the plan from rules/routine.yaml, the business-day calendar and the pure engine."""
