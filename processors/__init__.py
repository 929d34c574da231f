"""Pure logic of sitrep: extraction, enrichment, aggregation and detection.

Nothing in this package imports faust, aiokafka or ``streams``, reads the clock or touches
the network; every function takes typed records and returns typed records.
"""
