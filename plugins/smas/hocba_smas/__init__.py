"""hocba source plugin for SMAS (Viettel) on SQL Server through ODBC.

MODELLED — not the vendor's schema. Nothing about SMAS's database is public; SQL Server over ODBC is a
project assumption and every table this plugin will read is modelled (domain brief 08 §3, §6).
Today the plugin is a skeleton: configuration and registration only.
"""
