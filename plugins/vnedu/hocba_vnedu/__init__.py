"""hocba source plugin for vnEdu (VNPT) on MySQL/MariaDB.

MODELLED — not the vendor's schema. vnEdu's database is not public; the engine (MySQL/MariaDB) and
every table this plugin reads are modelled from public information (domain brief 08 §2, §6; README.md
says which fact each table and column rests on).
"""
