"""The kinds of timer rows (models.timers.Timer), each fired by its handler in workflow.services.due."""
APPEAL_WINDOW_END = "appeal_window_end"  # finalize a published decision once nobody appealed in time
PROBATION_END = "probation_end"  # open the probation confirmation (转正)
QUARTER_CLOSE = "quarter_close"  # the period-end evaluation of a quarter
REMINDER = "reminder"  # a case waits on someone for too long: mark it overdue and remind them
DEFERRED_DEMOTION = "deferred_demotion"  # a quarter's demotion waiting for the manager's open case to end
OBSERVATION_END = "observation_end"  # a case's observation period (a policy's own stage) has lasted its months
ESCALATION = "escalation"  # a case has waited long enough on a supervisor: escalate it if they cannot act

TIMER_KINDS = (APPEAL_WINDOW_END, PROBATION_END, QUARTER_CLOSE, REMINDER, DEFERRED_DEMOTION, OBSERVATION_END,
               ESCALATION)
