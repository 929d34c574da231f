"""Pure logic of sitrep, one package per pipeline stage, with the contracts at the top.

Stages: ``extract`` (articles to incidents), ``correlate`` (dedup), ``detect`` (alerts), and
``evaluate`` (scoring), over ``text`` (shared text machinery) and ``data`` (versioned rule and
gazetteer files). The contracts live here: ``models`` (records), ``errors`` (the exception
tree), ``validate`` (untrusted bytes to an ``Article``), ``schemas`` (JSON Schemas),
``identity`` (event ids). Nothing in this package imports faust, aiokafka, ``streams`` or
``harness``, reads the clock or touches the network; every function takes typed records and
returns typed records.
"""
