"""The user interfaces: the command line and the web page.

Importing gradio writes type stubs: every component class it defines (81 of them) re-parses its
own source file with `ast` to refresh a .pyi file beside it in site-packages, on every import of
every process (`gradio.component_meta.create_or_modify_pyi`). That is a development aid for
gradio's authors, 3 of the 8 s `import gradio` took here, and it writes into the installed package.
The finder below runs gradio's module unchanged and then replaces only that function with one that
does nothing; the classes and their events are built exactly as before.
"""
import sys

STUB_WRITER_MODULE = "gradio.component_meta"


class _SkipGradioStubWriter:
    """A meta-path finder that only ever handles STUB_WRITER_MODULE, through the finder that would
    have loaded it, and removes itself once it has."""

    def find_spec(self, name, path, target=None):
        if name != STUB_WRITER_MODULE:
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                break
        else:
            return None
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            module.create_or_modify_pyi = skip_stub_writing

        spec.loader.exec_module = exec_module
        return spec


def skip_stub_writing(*_args, **_kwargs) -> None:
    """In place of gradio's create_or_modify_pyi: type stubs are not needed to serve."""


if STUB_WRITER_MODULE not in sys.modules and not any(isinstance(f, _SkipGradioStubWriter) for f in sys.meta_path):
    sys.meta_path.insert(0, _SkipGradioStubWriter())
