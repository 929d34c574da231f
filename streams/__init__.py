"""The faust app, thin: agents decode a record, call one processor, send the result.

May import: processors and third-party streaming libraries; never harness.
"""
