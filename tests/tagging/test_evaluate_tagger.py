"""evaluate_tagger --photos DIR --labels FILE.csv: the served tagger on a labelled folder."""

import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from tests.tagging.conftest import BEE, CASTLE, CUPS, DEMO

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name, source in (("bee.jpg", BEE), ("castle.jpg", CASTLE), ("cups.jpg", CUPS)):
        shutil.copy(source, photos / name)
    return photos


def _labels(tmp_path, text: str):
    path = tmp_path / "labels.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_scores_the_served_tagger_on_a_labelled_folder(folder, tmp_path, capsys):
    labels = _labels(
        tmp_path,
        "filename,tags,shop_category\n"
        "bee.jpg,#bee|flower,none\n"
        "castle.jpg,castillo|moat|love,none\n"
        "cups.jpg,cups|party,home\n",
    )

    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels), "--json")

    report = json.loads(capsys.readouterr().out)
    got = report["suggestions"]
    assert sorted(report) == [
        "hit@1",
        "hit@5",
        "model_version",
        "non_visual_suggested",
        "p@5",
        "per_concept_ap",
        "photos",
        "r@5",
        "shop_accuracy",
        "shop_false_positive_rate",
        "suggestions",
    ]
    assert (report["photos"], report["model_version"]) == (3, "coldstart-1-lite0")
    assert [got[name]["hashtags"][0] for name in ("bee.jpg", "castle.jpg", "cups.jpg")] == [
        "bee",
        "castle",
        "cup",
    ]
    assert (report["hit@1"], report["hit@5"]) == (1.0, 1.0)
    hits = len({"bee", "flower"} & set(got["bee.jpg"]["hashtags"][:5]))
    castle_hits = len({"castle", "moat", "love"} & set(got["castle.jpg"]["hashtags"][:5]))
    cups_hits = len({"cup", "party"} & set(got["cups.jpg"]["hashtags"][:5]))
    assert report["p@5"] == round((hits + castle_hits + cups_hits) / 15, 4)
    assert report["r@5"] == round((hits / 2 + castle_hits / 3 + cups_hits / 2) / 3, 4)
    assert (report["shop_accuracy"], report["shop_false_positive_rate"]) == (1.0, 0.0)
    assert report["non_visual_suggested"] == 0
    assert report["per_concept_ap"]["bee"] == report["per_concept_ap"]["castle"] == 1.0


def test_the_table_names_each_figure(folder, tmp_path, capsys):
    labels = _labels(tmp_path, "filename,tags,shop_category\nbee.jpg,bee,none\n")

    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels))

    out = capsys.readouterr().out
    assert "1 photos, model coldstart-1-lite0" in out
    assert "hit@1                      1.000" in out and "shop_false_positive_rate   0.000" in out
    assert "#bee" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("filename,tags\nbee.jpg,bee\n", "missing column\\(s\\) shop_category"),
        ("filename,tags,shop_category\n", "has no rows"),
        ("filename,tags,shop_category\nnope.jpg,bee,none\n", "line 2: no file .*nope.jpg"),
        ("filename,tags,shop_category\nbee.jpg,bee,garden\n", "line 2: shop_category 'garden' is not one of"),
        # a file beside the folder, not in it (labels.csv itself)
        ("filename,tags,shop_category\n../labels.csv,bee,none\n", "line 2: ../labels.csv is not in .*photos"),
        # one photo labelled twice would be scored twice, once against each set of labels
        (
            "filename,tags,shop_category\nbee.jpg,bee,none\n./bee.jpg,flower,none\n",
            "line 3: ./bee.jpg is labelled on line 2 too",
        ),
    ],
)
def test_a_bad_labels_file_is_a_clear_error(folder, tmp_path, text, message):
    labels = _labels(tmp_path, text)

    with pytest.raises(CommandError, match=message):
        call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels))


def test_figures_of_tags_are_not_measured_on_a_folder_whose_photos_have_none(folder, tmp_path, capsys):
    # Shop labels alone: hit@1 0.000 would read as a tagger that is always wrong.
    labels = _labels(tmp_path, "filename,tags,shop_category\nbee.jpg,,none\ncups.jpg,,home\n")

    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels), "--json")
    report = json.loads(capsys.readouterr().out)
    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels))
    table = capsys.readouterr().out

    assert [report[key] for key in ("hit@1", "hit@5", "p@5", "r@5")] == [None] * 4
    assert report["shop_accuracy"] == 1.0
    assert "hit@1                      n/a" in table and "shop_accuracy              1.000" in table


def test_a_photo_named_by_an_absolute_path_outside_the_folder_is_a_clear_error(folder, tmp_path):
    outside = tmp_path / "elsewhere.jpg"
    shutil.copy(BEE, outside)
    labels = _labels(tmp_path, f"filename,tags,shop_category\nbee.jpg,bee,none\n{outside},bee,none\n")

    with pytest.raises(CommandError, match=f"line 3: {outside} is not in {folder}"):
        call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels))


def test_photos_in_a_subfolder_or_linked_from_elsewhere_are_in_the_folder(folder, tmp_path, capsys):
    (folder / "garden").mkdir()
    shutil.copy(BEE, folder / "garden" / "bee.jpg")
    library = tmp_path / "library"  # a labelled folder of links into a photo library
    library.mkdir()
    shutil.copy(CASTLE, library / "castle.jpg")
    (folder / "linked.jpg").symlink_to(library / "castle.jpg")
    labels = _labels(
        tmp_path, "filename,tags,shop_category\ngarden/bee.jpg,bee,none\nlinked.jpg,castle,none\n"
    )

    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels), "--json")

    report = json.loads(capsys.readouterr().out)
    assert report["photos"] == 2
    assert [report["suggestions"][name]["hashtags"][0] for name in ("bee.jpg", "linked.jpg")] == [
        "bee",
        "castle",
    ]


def test_photos_and_labels_go_together(folder):
    with pytest.raises(CommandError, match=r"Give both --photos DIR and --labels FILE\.csv"):
        call_command("evaluate_tagger", "--photos", str(folder))


def test_the_version_mode_still_needs_an_active_version():
    with pytest.raises(CommandError, match=r"No active version to evaluate\."):
        call_command("evaluate_tagger")


def test_blackandwhites_average_precision_is_that_of_the_served_rule(folder, tmp_path, capsys):
    # The cold-start head has no #blackandwhite; what users are served ranks it by the
    # pixels: first on the black-and-white photo, nowhere on the colour ones.
    shutil.copy(DEMO / "dev_013.jpg", folder / "lighthouse.jpg")  # black and white
    labels = _labels(
        tmp_path,
        "filename,tags,shop_category\n"
        "bee.jpg,bee,none\n"
        "castle.jpg,castle,none\n"
        "cups.jpg,cup|blackandwhite,home\n"  # written on a colour photo: the rule misses it
        "lighthouse.jpg,lighthouse|blackandwhite,none\n",
    )

    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels), "--json")

    report = json.loads(capsys.readouterr().out)
    assert report["suggestions"]["lighthouse.jpg"]["hashtags"][0] == "blackandwhite"
    # 1st of the four for one, last (never suggested) for the other: (1/1 + 2/4) / 2
    assert report["per_concept_ap"]["blackandwhite"] == 0.75


def test_a_photo_without_a_shop_label_is_left_out_of_the_shop_figures(folder, tmp_path, capsys):
    # An empty cell is a photo no one labelled for the shop, not one labelled `none`: read
    # as none, each such photo given a category counted as a false positive.
    labels = _labels(
        tmp_path,
        "filename,tags,shop_category\nbee.jpg,bee,\ncastle.jpg,castle,\ncups.jpg,cups,home\n",
    )

    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels), "--json")
    report = json.loads(capsys.readouterr().out)

    assert report["suggestions"]["cups.jpg"]["shop_category"] == "home"
    assert (report["shop_accuracy"], report["shop_false_positive_rate"]) == (1.0, None)


def test_shop_figures_are_not_measured_on_a_folder_without_shop_labels(folder, tmp_path, capsys):
    labels = _labels(tmp_path, "filename,tags,shop_category\nbee.jpg,bee,\ncups.jpg,cups, \n")

    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels))
    table = capsys.readouterr().out

    assert "shop_accuracy              n/a" in table and "shop_false_positive_rate   n/a" in table
    assert "hit@1                      1.000" in table


def test_a_labels_file_saved_by_a_spreadsheet_reads_as_written(folder, tmp_path, capsys):
    # Excel and LibreOffice write "CSV UTF-8" with a byte-order mark and CRLF line ends:
    # the BOM glued to the first header made it "\ufefffilename", "missing column(s) filename".
    labels = tmp_path / "labels.csv"
    labels.write_bytes("filename,tags,shop_category\r\nbee.jpg,#Bee | flower,none\r\n".encode("utf-8-sig"))

    call_command("evaluate_tagger", "--photos", str(folder), "--labels", str(labels), "--json")

    report = json.loads(capsys.readouterr().out)
    assert (report["photos"], report["hit@1"]) == (1, 1.0)
