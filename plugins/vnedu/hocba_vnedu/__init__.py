"""hocba source plugin for vnEdu (VNPT) on MySQL/MariaDB.

MODELLED — not the vendor's schema. vnEdu's database is not public; the engine (MySQL/MariaDB) and
every table this plugin will read are modelled from public information (domain brief 08 §2, §6).
Today the plugin is a skeleton: configuration and registration only.
"""
