"""The web chat (gradio): a thin layer over ``Assistant.ask``; builds the index on first start."""
from __future__ import annotations

import html

import gradio as gr

from assistant.config import Settings
from assistant.service import Assistant, build
from index.errors import PolicyError


def render(answer) -> str:
    """Answer text and citation cards as inert HTML (question and document text are escaped)."""
    parts = [f"<div>{html.escape(answer.text).replace(chr(10), '<br>')}</div>"]
    for c in answer.citations:
        number = f" {html.escape(c.document.cite_number)}" if c.document.cite_number else ""
        parts.append(f"<details><summary>[{c.n}] {html.escape(c.document.title)}{number} — "
                     f"{html.escape(c.clause.path_text)}</summary><blockquote>{html.escape(c.quote)}"
                     f"</blockquote><p>{html.escape(c.clause.text)}</p></details>")
    return "\n".join(parts)


def make_app(assistant: Assistant) -> gr.Blocks:
    def respond(message, history):
        try:
            return render(assistant.ask(message))
        except PolicyError as e:
            return html.escape(str(e))

    with gr.Blocks(title="Policy assistant") as demo:
        gr.Markdown("## 生物医药产业政策助手 · Biomedical policy assistant")
        gr.ChatInterface(respond, examples=["多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？",
                                            "汕头的药厂做技术改造能补多少？",
                                            "How much can a category-1 drug get in Hangzhou?"])
    return demo


def main(settings: Settings | None = None) -> None:
    settings = settings or Settings.from_env()
    build(settings, progress=False)  # no-op when the index is current
    demo = make_app(Assistant(settings))
    demo.queue(max_size=32, default_concurrency_limit=2)
    demo.launch(server_name=settings.host, server_port=settings.port, share=False, max_file_size="20mb")


if __name__ == "__main__":
    main()
