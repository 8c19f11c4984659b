"""XML stage: serialisation profiles (canonical record → signable XML document) and XSD validation."""

from connector.xml.profile import Profile

__all__ = ["Profile"]
