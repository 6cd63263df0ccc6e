"""A colleague's signing certificate that a laptop learnt because the team server vouched
for records it served verifies those records, and nothing else: a bundle from a file
whose sign-offs rest on it alone is refused with the sentence about an unknown
certificate (until the user trusts it the normal way), a summary PDF it signed is not
"known to this laptop", while the same record pulled from the server is taken."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from observer.bundle.sign_offs import UNKNOWN_CERTIFICATE
from observer.errors import InvalidBundle
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.signing.known import KnownCertificate
from observer.store.models import Observation
from observer.vocabulary import Kind, Role, SignatureRole
from tests.support.core import CONSENT, WHEN, RunCli
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft

TEAM = "Children in Care"


@dataclass
class Story:
    lead: Services
    manager: Services
    worker: uuid.UUID
    signed: uuid.UUID  # pulled by the manager
    learnt: KnownCertificate


def sign(lead: Services, record: uuid.UUID) -> None:
    for rating in lead.recording.get(record).ratings:
        lead.recording.set_rating(
            record, rating.standard_code, level_code="good", evidence="Seen on the visit."
        )
    lead.recording.update(
        record, {"overall_level": "good", "overall_rationale": "Clear.", "strengths": "Calm."}
    )
    lead.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    lead.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")


def status(laptop: Services, record: uuid.UUID) -> str | None:
    with laptop.db.session() as s:
        found = s.get(Observation, record)
        return None if found is None else found.status


@pytest.fixture
def story(live_server: LiveServer, make_laptop: Laptop) -> Story:
    lead = lead_with_a_draft(live_server, make_laptop)
    sign(lead.laptop, lead.draft)
    assert lead.laptop.sync.sync().refused == 0
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    code = live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    manager.sync.join(live_server.url, code)
    manager.sync.sync()  # the lead's certificate is learnt from the server
    assert status(manager, lead.draft) == "signed"
    (learnt,) = [c for c in manager.known_certificates.known() if c.vouched_by is not None]
    return Story(lead.laptop, manager, lead.worker, lead.draft, learnt)


def a_second_signed_record(story: Story) -> uuid.UUID:
    me = story.lead.profiles.current().person_id  # type: ignore[union-attr]
    record = story.lead.recording.create_draft(
        DraftDetails(story.worker, me, Kind.HOME_VISIT, WHEN, focus="A second visit.", **CONSENT)
    )
    sign(story.lead, record)
    return record


def test_a_learnt_certificate_is_kept_with_the_server_that_vouched_and_not_trusted(
    story: Story, live_server: LiveServer
) -> None:
    assert story.learnt.vouched_by == f"the team server at {live_server.url}"
    assert not story.manager.known_certificates.is_known(story.learnt.fingerprint_sha256)
    assert story.learnt.fingerprint_sha256 not in story.manager.known_certificates.fingerprints()


def test_a_bundle_resting_on_a_learnt_certificate_is_refused_and_the_pulled_record_taken(
    story: Story, tmp_path: Path
) -> None:
    record = a_second_signed_record(story)
    bundle = tmp_path / "from-the-lead.json"
    story.lead.bundles.export(bundle, None, [story.worker])

    with pytest.raises(InvalidBundle) as refused:
        story.manager.bundles.import_file(bundle, None)
    assert UNKNOWN_CERTIFICATE in str(refused.value)
    assert "nothing was imported" in str(refused.value)
    assert status(story.manager, record) is None

    assert story.lead.sync.sync().refused == 0
    story.manager.sync.sync()
    assert status(story.manager, record) == "signed"
    assert story.manager.signoff.signed_record(record).problem is None


def test_trusted_the_normal_way_a_learnt_certificate_takes_the_bundle(
    story: Story, tmp_path: Path
) -> None:
    record = a_second_signed_record(story)
    bundle = tmp_path / "from-the-lead.json"
    story.lead.bundles.export(bundle, None, [story.worker])
    der = story.learnt.certificate_der
    assert der is not None
    story.manager.known_certificates.add(der, "read out by the lead", "Morag Campbell")

    story.manager.bundles.import_file(bundle, None)

    assert status(story.manager, record) == "signed"
    (trusted,) = [
        c
        for c in story.manager.known_certificates.known()
        if c.fingerprint_sha256 == story.learnt.fingerprint_sha256
    ]
    assert trusted.vouched_by is None
    assert trusted.reason == "read out by the lead"


def test_a_summary_signed_with_a_learnt_certificate_is_not_known_here(
    story: Story, tmp_path: Path
) -> None:
    pdf = tmp_path / "summary.pdf"
    story.lead.summaries.export(story.signed, pdf)

    checked = story.manager.summaries.verify(pdf)

    assert checked.intact
    assert checked.signer_known is False


def test_certificates_list_says_a_learnt_one_is_for_the_servers_records_only(
    story: Story, live_server: LiveServer, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("OBSERVER_PASSPHRASE", STORE_PASSPHRASE)
    assert run_cli(["--data-dir", str(story.manager.data_dir), "certificates", "list"]) == 0

    (line,) = [
        line for line in capsys.readouterr().out.splitlines() if story.learnt.fingerprint in line
    ]
    assert line.startswith(f"{story.learnt.fingerprint}  Aled Hughes: Signed records that came")
    assert f"from the team server at {live_server.url} (for its records only)" in line
