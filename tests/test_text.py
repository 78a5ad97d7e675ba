"""Text extraction: Markdown, HTML and Liquid to plain blocks; boilerplate learned from a corpus."""

from __future__ import annotations

import re

import pytest
from conftest import JEKYLL

from bunrui.classifier import load_corpus
from bunrui.classifier.text.extract import (
    _LIQUID,
    _SCRIPT,
    Block,
    BoilerplateFilter,
    _strip_spans,
    extract_blocks,
    join_blocks,
    nfkc,
)


def plain(markdown: str) -> str:
    return join_blocks(extract_blocks(markdown))


# (Markdown, words that must remain, words that must be gone)
EXTRACTION = [
    pytest.param(
        "前の文。\n\n```python\nsecret_code = 1\n```\n\n後の文。",
        ["前の文。", "後の文。"], ["secret_code", "python", "```"], id="backtick-fence"),
    pytest.param(
        "前の文。\n\n~~~\nhidden_tilde()\n~~~\n\n後の文。",
        ["前の文。", "後の文。"], ["hidden_tilde", "~~~"], id="tilde-fence"),
    pytest.param(
        "前の文。\n\n```\nunclosed_code()\n", ["前の文。"], ["unclosed_code"],
        id="unclosed-fence"),
    pytest.param(
        "見える文。<!-- 見えないコメント -->続きの文。\n\n<!--\n複数行の\nコメント\n-->",
        ["見える文。", "続きの文。"], ["見えないコメント", "複数行の", "<!--"], id="html-comment"),
    pytest.param(
        "{% include related.html %}本文です。{{ page.title | escape }}\n\n{% raw %}",
        ["本文です。"], ["include", "related", "page.title", "raw", "{%", "{{"], id="liquid"),
    pytest.param(
        '<div class="note">囲みの中身</div> <span style="color:red">赤い字</span><br/>',
        ["囲みの中身", "赤い字"], ["div", "class", "span", "style", "<", ">"], id="html-tags"),
    pytest.param(
        "本文。<script>var tracker = 1;</script><style>.x{color:red}</style>続き。",
        ["本文。", "続き。"], ["tracker", "color"], id="script-style"),
    pytest.param(
        "詳しくは https://example.com/path?q=1 と www.example.org/x を見てください。",
        ["詳しくは", "を見てください。"], ["https", "example", "www"], id="urls"),
    pytest.param(
        "写真です ![海の写真](/images/umi.jpg) と ![参照画像][img] おわり\n\n[img]: /a.png",
        ["写真です", "おわり"], ["海の写真", "umi", "参照画像", "a.png"], id="images"),
    pytest.param(
        "[公式ドキュメント](https://docs.example.com/x)を読みました。[参考記事][ref]も。\n\n"
        "[ref]: https://example.com/ref",
        ["公式ドキュメント", "を読みました。", "参考記事"], ["docs.example", "ref]", "https"],
        id="link-text-kept"),
    pytest.param(
        "**太字**と*斜体*と`コード`と~~取り消し~~\n\n> 引用の文\n\n- 項目一\n1. 項目二",
        ["太字と斜体とコードと取り消し", "引用の文", "項目一", "項目二"], ["**", "> ", "- ", "1. "],
        id="markdown-marks"),
    pytest.param(
        "| 材料 | 分量 |\n|---|---|\n| 卵 | 2個 |", ["材料", "分量", "卵", "2個"], ["|", "---"],
        id="table"),
    pytest.param(
        "ＰＹＴＨＯＮで１２３個", ["PYTHONで123個"], ["ＰＹＴＨＯＮ"], id="nfkc"),
    pytest.param(
        "前の文。\n#+BEGIN_SRC python\nsecret_code = 1\n#+END_SRC\n後の文。\n"
        "#+begin_example\nexample_out\n#+end_example\n最後。",
        ["前の文。", "後の文。", "最後。"], ["secret_code", "python", "example_out"], id="org-src"),
    pytest.param(
        "前の文。\n\n.. code-block:: python\n\n   secret_code = 1\n\n   more_code()\n"
        "後の文。\n\n  .. code:: sh\n\n     shell_cmd\n  インデントの文。",
        ["前の文。", "後の文。", "インデントの文。"], ["secret_code", "more_code", "shell_cmd",
                                              "code-block"], id="rst-code"),
]


@pytest.mark.parametrize(("markdown", "kept", "removed"), EXTRACTION)
def test_extract_blocks(markdown, kept, removed):
    text = plain(markdown)
    for words in kept:
        assert words in text
    for words in removed:
        assert words not in text


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# 大見出し", [("大見出し", 1)]),
        ("### 小見出し ###", [("小見出し", 3)]),
        ("#ハッシュタグ", [("#ハッシュタグ", 0)]),
        ("段落一\n続き\n\n段落二", [("段落一 続き", 0), ("段落二", 0)]),
        ("## 見出し\n本文が続く", [("見出し", 2), ("本文が続く", 0)]),
        ("", []),
        ("```\nコードだけ\n```", []),
    ],
)
def test_blocks_and_headings(markdown, expected):
    assert [(b.text, b.heading_level) for b in extract_blocks(markdown)] == expected


@pytest.mark.parametrize(
    ("markdown", "link_only"),
    [
        ("- [記事A](/a)\n- [記事B](/b)", True),
        ("[記事A](/a) | [記事B](/b)", True),
        ("→ [次の記事](/next)", True),
        ("PR [おすすめの鍋](https://shop.example.com/nabe)", True),
        ("[記事A](/a)を読んで、自分でも試してみました。", False),
        ("リンクのない普通の段落です。", False),
        ("", None),
    ],
)
def test_link_only_blocks(markdown, link_only):
    blocks = extract_blocks(markdown)
    if link_only is None:
        assert blocks == []
    else:
        [block] = blocks
        assert block.link_only is link_only


def test_block_key_ignores_spacing_and_marks():
    assert Block("関連 記事!").key == Block("関連記事").key == "関連記事"
    assert Block("Python").key == "python"


def test_nfkc():
    assert nfkc("ｶﾀｶﾅとＡＢＣ\n①") == "カタカナとABC\n1"
    assert nfkc("そのまま") == "そのまま"


@pytest.fixture(scope="module")
def jekyll_blocks():
    corpus = load_corpus([JEKYLL], include_drafts=True)
    return {p.path.rsplit("/", 1)[-1]: extract_blocks(p.body) for p in corpus.posts}


@pytest.fixture(scope="module")
def fitted(jekyll_blocks):
    return BoilerplateFilter().fit(jekyll_blocks.values())


BOILERPLATE = ["関連記事", "おすすめの本", "はじめての家計簿", "毎日の片づけ習慣", "山田太郎",
               "シェアしてください"]


@pytest.mark.parametrize("words", BOILERPLATE)
def test_boilerplate_is_in_the_raw_posts(jekyll_blocks, words):
    # Guards the test below: these words are really there before cleaning.
    assert sum(words in join_blocks(b) for b in jekyll_blocks.values()) >= 20


@pytest.mark.parametrize("words", BOILERPLATE)
def test_boilerplate_filter_removes_recurring_sections(jekyll_blocks, fitted, words):
    for name, blocks in jekyll_blocks.items():
        assert words not in join_blocks(fitted.clean(blocks)), name


def test_boilerplate_filter_removes_related_post_links(jekyll_blocks, fitted):
    # Each post's related list differs, but it is made of links only.
    for name, blocks in jekyll_blocks.items():
        cleaned = join_blocks(fitted.clean(blocks))
        assert "冬の京都をひとりで歩く" not in cleaned or name == "2025-01-11-winter-kyoto-solo.md"


@pytest.mark.parametrize(
    ("name", "own_words"),
    [
        ("2025-01-05-miso-soup-basics.md",
         ["毎朝なんとなく作っていた味噌汁", "だしの取り方", "昆布 5cm", "忙しい朝の時短レシピ",
          "味噌の選び方"]),
        ("2025-01-17-python-sqlite-memo.md",
         ["PythonとSQLiteで小さなアプリ", "テーブルを作る", "SQLインジェクションを防げます",
          "sqlite3のドキュメント"]),
        ("2025-01-11-winter-kyoto-solo.md", ["京都"]),
        ("2025-06-22-furano-lavender-onsen.md", ["温泉"]),
    ],
)
def test_boilerplate_filter_keeps_a_posts_own_prose(jekyll_blocks, fitted, name, own_words):
    cleaned = join_blocks(fitted.clean(jekyll_blocks[name]))
    for words in own_words:
        assert words in cleaned


def test_every_post_keeps_most_of_its_prose(jekyll_blocks, fitted):
    for name, blocks in jekyll_blocks.items():
        own = [b for b in blocks if b.heading_level == 0 and not b.link_only
               and not any(w in b.text for w in BOILERPLATE)]
        kept = fitted.clean(blocks)
        assert all(b in kept for b in own), name


def test_recurring_heading_over_own_prose_keeps_the_prose():
    docs = [extract_blocks(f"本文{i}です。\n\n## まとめ\n\n今回は{i}番目の話題について書きました。")
            for i in range(6)]
    fitted = BoilerplateFilter().fit(docs)
    cleaned = join_blocks(fitted.clean(docs[0]))
    assert "今回は0番目の話題について書きました。" in cleaned
    assert "まとめ" not in cleaned


def test_a_block_below_the_threshold_is_kept():
    shared = "三つの記事にだけ出てくる段落です。"
    docs = [extract_blocks(f"記事{i}の本文。\n\n{shared}") for i in range(2)]
    docs += [extract_blocks(f"別の記事{i}。") for i in range(3)]
    assert shared in join_blocks(BoilerplateFilter().fit(docs).clean(docs[0]))
    docs.append(extract_blocks(f"もうひとつ。\n\n{shared}"))
    assert shared not in join_blocks(BoilerplateFilter().fit(docs).clean(docs[0]))


def test_repeated_paragraphs_within_a_post_are_kept_once():
    blocks = extract_blocks("同じ段落です。\n\n違う段落です。\n\n同じ 段落です!\n\n同じ段落です。")
    fitted = BoilerplateFilter().fit([blocks])
    assert [b.text for b in fitted.clean(blocks)] == ["同じ段落です。", "違う段落です。"]


def test_boilerplate_threshold_scales_with_corpus():
    fitted = BoilerplateFilter(min_share=0.1, min_posts=3).fit([[Block("a")]] * 100)
    assert fitted.threshold_ == 10
    assert BoilerplateFilter().fit([[Block("a")]] * 10).threshold_ == 3


# Liquid and script spans are removed in linear time, exactly as the lazy regexes did
# (the regexes searched from every unclosed opening to the end: quadratic).
SPANS = ["{% a %}b{{ c }}", "{{ {% x %} }}", "{% a {{ b %} c }}", "{{% a }}", "{%{%{% x",
         "x %} {% y", "{{ a }} {{ b", "}} {{", "{%%}{{}}", "<script>x</script>y",
         "<SCRIPT>x</Script >y<style>z</style>", "<script>a<style>b</script>c</style>",
         "<scripts>a</script>", "<script>unclosed", "<style>a</style><style>b"]


@pytest.mark.parametrize("text", SPANS)
def test_spans_are_removed_as_the_lazy_regexes_did(text):
    liquid = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    script = re.sub(r"<(script|style)\b.*?</\1\s*>", "\n", text, flags=re.S | re.I)
    assert _strip_spans(text, *_LIQUID, " ") == liquid
    if "<style" not in text or "<script" not in text:  # interleaved: removed one kind first
        assert _strip_spans(text, *_SCRIPT, "\n") == script


@pytest.mark.parametrize("unit", ["{%", "{{", "<script>", "[a](", "![a](", "[", "[a",
                                  "<!--", "```\n"])
def test_long_runs_of_openings_leave_the_text_as_it_was(unit):
    blocks = extract_blocks(unit * 50_000)  # took minutes when each was searched to the end
    assert sum(len(b.text) for b in blocks) <= len(unit) * 50_000
