"""The report names the datasets its records used and warns when their words are not the
published ones."""

from accelbench.records import ResultRecord
from accelbench.report.build import _datasets_text
from accelbench.report.raw import RawResults


def _record(design, manifest, matches, content_matches=False):
    prov = {"manifest_sha256": manifest, "published_manifest_sha256": "p" * 64,
            "matches_published": matches, "content_matches_published": content_matches}
    return ResultRecord(design=design, family="codec", parameters={},
                        workload={"id": "lite/fixed8"}, metrics={},
                        details={"dataset": {"name": "lite", "images": ["a", "b"],
                                             "synthetic": False, "provenance": prov}})


def test_matching_dataset_has_no_warning():
    text = _datasets_text(RawResults([_record("x", "p" * 64, True)]))
    assert "`lite`: real; 2 images" in text and "WARNING" not in text


def test_a_different_build_is_flagged():
    text = _datasets_text(RawResults([_record("x", "a" * 64, False)]))
    assert "WARNING" in text and "aaaaaaaaaaaa" in text and "pppppppppppp" in text
    same_words = _datasets_text(RawResults([_record("x", "a" * 64, False, True)]))
    assert "only package versions differ" in same_words


def test_records_from_two_builds_are_flagged():
    text = _datasets_text(RawResults([_record("x", "a" * 64, True),
                                      _record("y", "b" * 64, True)]))
    assert "2 different dataset builds" in text
