"""Build the optional C accelerator for jieba's block cut (everything else is in pyproject.toml).

``optional=True``: where no C compiler is found the build goes on without it and
``indexer.segmentation`` uses its pure-Python twin, which cuts the same words more slowly.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "indexer._segmentation",
            sources=["indexer/_segmentation.c"],
            # no fused multiply-add: scores must round exactly as Python's float arithmetic does
            extra_compile_args=["-ffp-contract=off"] if __import__("sys").platform != "win32" else [],
            optional=True,
        )
    ]
)
