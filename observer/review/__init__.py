"""Looking back across observations: a worker's history, trends, ASYE, the team overview."""
