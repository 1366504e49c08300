"""Links kept right in a real index across syncs: late arrival, changes, deletion, explicit sidecars."""

from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.engine import SearchEngine
from indexer.ingest import document_id
from indexer.links import refresh_links
from indexer.models import SearchRequest
from indexer.sync import sync_paths
from tests.integration.docs_factory import write_doc

POLICY_TITLE = "示例市人民政府关于印发《示例市促进住房消费若干措施》的通知"


def write_policy(folder: Path, title: str = POLICY_TITLE, name: str = "policy.txt") -> Path:
    return write_doc(
        folder, name, title=title, number="示政发〔2024〕3号", date="2024年3月10日",
        body="现将《示例市促进住房消费若干措施》印发给你们，请认真贯彻执行。",
    )


def write_interpretation(folder: Path, name: str = "interpretation.txt", title: str = "《示例市促进住房消费若干措施》政策解读") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        f"{title}\n\n来源：示例市住房和城乡建设局　　发布时间：2024-03-18\n\n"
        "近日，市政府印发了《示例市促进住房消费若干措施》（示政发〔2024〕3号，以下简称《措施》）。现就《措施》解读如下。\n"
        "一、出台背景\n为更好满足居民住房需求，制定《措施》。\n",
        encoding="utf-8",
    )
    return path


def test_interpretation_links_to_its_policy_both_ways(engine: SearchEngine, tmp_path: Path) -> None:
    policy, interp = write_policy(tmp_path / "docs"), write_interpretation(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    pid, iid = document_id(str(policy)), document_id(str(interp))
    assert engine.stored(iid)["is_interpretation"] is True
    assert not engine.stored(pid).get("is_interpretation")
    target, _ = engine.links(iid)
    assert target is not None and target.id == pid
    _, interpretations = engine.links(pid)
    assert [link.id for link in interpretations] == [iid]
    hits = {h.id: h for h in engine.search(SearchRequest(q="住房消费")).hits}
    assert hits[pid].interpretations[0].id == iid
    assert hits[iid].interprets is not None and hits[iid].interprets.id == pid


def test_policy_arriving_later_links_on_its_sync(engine: SearchEngine, tmp_path: Path) -> None:
    interp = write_interpretation(tmp_path / "interpretations")
    sync_paths(engine, [tmp_path / "interpretations"])
    iid = document_id(str(interp))
    assert engine.links(iid)[0] is None  # never a wrong link while the policy is absent
    policy = write_policy(tmp_path / "policies")
    sync_paths(engine, [tmp_path / "policies"])
    target, _ = engine.links(iid)
    assert target is not None and target.id == document_id(str(policy))


def test_deleted_policy_clears_the_link(engine: SearchEngine, tmp_path: Path) -> None:
    policy, interp = write_policy(tmp_path / "docs"), write_interpretation(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    policy.unlink()
    sync_paths(engine, [tmp_path / "docs"])
    assert engine.stored(document_id(str(interp))).get("interprets_id") is None


def test_changed_policy_that_no_longer_matches_is_unlinked(engine: SearchEngine, tmp_path: Path) -> None:
    policy, interp = write_policy(tmp_path / "docs"), write_interpretation(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    iid = document_id(str(interp))
    assert engine.stored(iid).get("interprets_id") == document_id(str(policy))
    # the file now holds another policy (title and number changed)
    policy.write_text(
        policy.read_text(encoding="utf-8")
        .replace("促进住房消费若干措施", "养老服务体系建设方案")
        .replace("示政发〔2024〕3号", "示政发〔2024〕9号"),
        encoding="utf-8",
    )
    st = policy.stat()
    os.utime(policy, (st.st_atime, st.st_mtime + 5))
    sync_paths(engine, [tmp_path / "docs"])
    assert engine.stored(iid).get("interprets_id") is None


def test_explicit_sidecar_reference_wins(engine: SearchEngine, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    policy = write_policy(docs)
    other = write_doc(docs, "other.txt", title="示例市人民政府关于印发《示例市养老服务体系建设方案》的通知",
                      number="示政发〔2024〕1号", date="2024年1月5日")
    interp = write_interpretation(docs)
    # the publisher says it explains the other one: the sidecar wins over the cited title
    interp.with_name(interp.name + ".json").write_text(json.dumps({"interprets": "示政发〔2024〕1号"}), encoding="utf-8")
    sync_paths(engine, [docs])
    assert engine.stored(document_id(str(interp))).get("interprets_id") == document_id(str(other))
    assert engine.stored(document_id(str(policy))).get("interprets_id") is None


def test_refresh_is_a_no_op_when_nothing_changed(engine: SearchEngine, tmp_path: Path) -> None:
    write_policy(tmp_path / "docs")
    write_interpretation(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    summary = refresh_links(engine)
    assert summary.interpretations == 1 and summary.linked == 1
    assert summary.changed == [] and summary.cleared == []


def test_relinked_document_keeps_its_date_for_sorting(engine: SearchEngine, tmp_path: Path) -> None:
    write_policy(tmp_path / "docs")
    interp = write_interpretation(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    newest = engine.search(SearchRequest(q="", sort="newest")).hits
    assert newest[0].id == document_id(str(interp))  # 2024-03-18, after the policy's 2024-03-10


def test_a_long_interpretation_linked_later_keeps_its_whole_body(engine: SearchEngine, tmp_path: Path) -> None:
    # the link pass reads only a body's lead; the document it re-adds must still be whole
    docs = tmp_path / "docs"
    interp = write_interpretation(docs)
    tail = "第二部分　主要内容。" * 400 + "全文到此结束。"
    interp.write_text(interp.read_text(encoding="utf-8") + tail, encoding="utf-8")
    sync_paths(engine, [docs])
    interp_id = document_id(str(interp))
    before = engine.stored(interp_id)
    assert before is not None and not before.get("interprets_id")
    write_policy(docs)
    sync_paths(engine, [docs])
    after = engine.stored(interp_id)
    assert after is not None and after.get("interprets_id")
    assert after["body"] == before["body"] and after["body"].endswith("全文到此结束。")
