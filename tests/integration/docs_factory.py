"""Small official-layout text documents written by the tests (no binary fixtures)."""

from __future__ import annotations

from pathlib import Path


def official_text(
    *,
    issuer: str = "示例市人民政府",
    number: str = "示政发〔2024〕3号",
    title: str = "示例市人民政府关于进一步优化营商环境的若干意见",
    body: str = "为持续优化营商环境，推进一网通办，现提出如下意见。",
    date: str = "2024年3月15日",
) -> str:
    """A plain-text official document: 发文机关标志, 发文字号, 标题, 主送, 正文, 署名, 成文日期."""
    return (
        f"{issuer}文件\n\n{number}\n\n{title}\n\n各区人民政府，市政府各部门：\n\n{body}\n\n"
        f"{issuer}\n{date}\n\n（此件公开发布）\n"
    )


def write_doc(folder: Path, name: str, **kwargs: str) -> Path:
    """Write one official text document into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(official_text(**kwargs), encoding="utf-8")
    return path


def small_corpus(folder: Path) -> dict[str, Path]:
    """Four documents with different issuers, types, years and numbers."""
    return {
        "business": write_doc(folder, "business.txt"),
        "fund": write_doc(
            folder,
            "fund.txt",
            issuer="示例市住房公积金管理中心",
            number="示公积金发〔2023〕5号",
            title="示例市住房公积金管理中心关于调整住房公积金提取政策的通知",
            body="职工可以提取住房公积金用于支付房租。租房提取额度每月不超过一千五百元。",
            date="2023年6月1日",
        ),
        "jobs": write_doc(
            folder,
            "jobs.txt",
            issuer="示例市人力资源和社会保障局",
            number="示人社规〔2022〕2号",
            title="示例市人力资源和社会保障局关于印发《示例市稳岗返还实施办法》的通知",
            body="企业稳岗返还按照上年度实际缴纳失业保险费的百分之五十返还。社会保险补贴同步发放。",
            date="2022年9月9日",
        ),
        "old_jobs": write_doc(
            folder,
            "old_jobs.txt",
            issuer="示例市人力资源和社会保障局",
            number="示人社规〔2019〕7号",
            title="示例市人力资源和社会保障局关于做好失业保险稳岗返还工作的通知",
            body="失业保险稳岗返还按上年度缴费的百分之三十返还。",
            date="2019年4月1日",
        ),
    }
