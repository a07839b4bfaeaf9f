"""Devices on the employer's PC (UKey through PC/SC, document camera) and the local agent.

They run on the operator's machine, not on the server; the hall's page reaches them
through the agent's loopback HTTP API. pyscard comes with the ``hardware`` extra.
"""
