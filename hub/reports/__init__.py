"""Reports computed by the hub from its event store (past, archived days included).

Pure functions over the events of a date range (:mod:`hub.reports.compute`),
the IKM of PermenPANRB 14/2017 (:mod:`hub.reports.ikm`), reading a range of
the store without disturbing the hub (:mod:`hub.reports.source`), and the
answer to an admin's ``report.get`` (:mod:`hub.reports.handler`). The console
renders the figures (``admin/reports/``); it never sees the events.
"""
