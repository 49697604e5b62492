"""Stand-in vectors for long passages still owed their full vector."""

from __future__ import annotations

import numpy as np

from knowledge.lead_vectors import LeadVectors, merged


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_the_nearest_lead_vectors_come_best_first_with_their_cosines() -> None:
    leads = LeadVectors()
    assert leads.nearest(_unit(1, 0), 5) == []
    leads.add({"east": _unit(1, 0), "north": _unit(0, 1), "northeast": _unit(1, 1)})
    ranking = leads.nearest(_unit(1, 0.1), 2)
    assert [chunk_id for chunk_id, _ in ranking] == ["east", "northeast"]
    assert ranking[0][1] > ranking[1][1] > 0.7


def test_a_discarded_vector_no_longer_ranks_and_a_new_one_does() -> None:
    leads = LeadVectors()
    leads.add({"a": _unit(1, 0), "b": _unit(0, 1)})
    assert len(leads.nearest(_unit(1, 0), 5)) == 2
    leads.discard(["a", "unknown"])
    assert "a" not in leads and len(leads) == 1
    assert [chunk_id for chunk_id, _ in leads.nearest(_unit(1, 0), 5)] == ["b"]
    leads.add({"c": _unit(1, 0)})
    assert [chunk_id for chunk_id, _ in leads.nearest(_unit(1, 0), 5)] == ["c", "b"]


def test_merged_rankings_go_by_cosine_and_keep_their_depth() -> None:
    stored = [("s1", 0.9), ("s2", 0.5)]
    leads = [("l1", 0.7), ("l2", 0.1)]
    assert merged(stored, leads, 3) == [("s1", 0.9), ("l1", 0.7), ("s2", 0.5)]
