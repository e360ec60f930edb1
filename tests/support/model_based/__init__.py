"""The model-based test's parts (the machine and the test are tests/api/test_model_based.py):

world       the organisation every example starts from
oracle      the rules written again, plainly, to predict each answer
invariants  what must hold of the database after every step
figures     the counts of a run, printed at its end
"""
