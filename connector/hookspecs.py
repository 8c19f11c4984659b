"""Every hook hocba offers to plugins, in one place.

A plugin is a module (or object) with functions decorated ``@hookimpl`` whose names match the specs
below, made known through the ``hocba`` entry-point group::

    [project.entry-points.hocba]
    myvendor = "hocba_myvendor.plugin"

hocba's own components (the JSONL sink, the TT27/TT22 rule packs …) register through these same hooks:
there is one path for core and vendors. Hooks are called with keyword arguments; a plugin may accept
only the arguments it needs. Each hook has a section in ``docs/plugin-hooks.md`` (a test checks it).
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("hocba")
hookimpl = pluggy.HookimplMarker("hocba")


@hookspec
def register_sources(register):
    """Register source classes: systems or files that student-year records are extracted from.

    Call ``register(SourceClass)`` once per source; the class subclasses
    :class:`connector.extract.Source` and has a unique ``name``. A plugin may register several.
    """


@hookspec
def register_sinks(register):
    """Register sink classes: where records or signed documents are delivered.

    Call ``register(SinkClass)`` once per sink; the class subclasses :class:`connector.deliver.Sink`
    and has a unique ``name``. hocba's own ``jsonl`` sink is registered this way.
    """


@hookspec
def register_signers(register):
    """Register signer backends: how a role's signature is produced (key file, USB token, remote).

    Call ``register(SignerClass)`` once per backend; the class has a unique ``name`` and produces
    signatures through pyHanko signer objects.
    """


@hookspec
def register_rule_packs(register):
    """Register rule packs: validation rules keyed by (framework, rule id, effective-from date).

    Call ``register(pack)`` with a :class:`connector.validate.RulePack`. Rule ids are unique across
    all packs; a pack may add rules for a framework, never silently replace another pack's rule.
    """


@hookspec
def register_commands(cli):
    """Add commands to the ``hocba`` command line.

    ``cli`` is the top-level :class:`click.Group`; decorate new commands with ``@cli.command()``.
    """


@hookspec
def register_profiles(register):
    """Register serialisation profiles: how a canonical record becomes a signable XML document.

    Call ``register(ProfileClass)`` with a :class:`connector.xml.Profile` subclass that has a unique
    ``id`` (e.g. ``"hocba-xmldsig-dscks"``) and a ``version``. hocba's own profile is provisional, not
    the official QĐ 3016/QĐ-BGDĐT format; the official one, once obtained, is added the same way.
    """
