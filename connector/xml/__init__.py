"""XML stage: serialisation profiles (canonical record → signable XML document) and XSD validation."""

from connector.xml.profile import Profile, ProfileError, document_id

__all__ = ["Profile", "ProfileError", "document_id"]
