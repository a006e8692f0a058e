"""Search (apps/social/selectors_search.py over core's apps/core/platform/search.py): matching on
the engine in use (FTS5 on SQLite, tsvector on PostgreSQL: the suite runs on both), the user's
words never taken as syntax, who finds which post (visibility x searcher), blocks both ways,
people and hashtags, the page (/social/search/) and its bounds, query counts flat."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from apps.core.platform import search
from apps.social import selectors_search as found
from apps.social.models import Post
from apps.social.services import posts as services
from tests.core.factories import UserFactory
from tests.social.conftest import CLUB_MEMBERS
from tests.social.factories import BlockFactory, MuteFactory, PostFactory, ProfileFactory, tag_post

pytestmark = pytest.mark.django_db

SEARCH = reverse("social:search")


def _ids(queryset) -> list[int]:
    return [row.pk for row in queryset]


# --- Core's interface ------------------------------------------------------------------------


def test_the_index_exists_on_the_engine_in_use():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name IN ('social_post_fts', 'core_user_fts')")
            assert {row[0] for row in cursor.fetchall()} == {"social_post_fts", "core_user_fts"}
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'social_%_search'")
            assert {row[0] for row in cursor.fetchall()} == {"social_post_search", "social_people_search"}


def test_postgresql_answers_from_the_gin_index():
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search.matching(Post.objects.all(), found.POST_INDEX, "hello wor").explain()
    assert "social_post_search" in plan


def test_words_match_whatever_their_case_and_the_last_as_a_prefix():
    post = PostFactory(text="Knitting a Scarf for winter")
    PostFactory(text="something else entirely")
    assert _ids(found.search_posts(None, "scarf")) == [post.pk]
    assert _ids(found.search_posts(None, "KNITTING scar")) == [post.pk]
    assert _ids(found.search_posts(None, "knit")) == [post.pk]
    # Every word is required; a word in the middle is whole.
    assert _ids(found.search_posts(None, "scarf summer")) == []
    assert _ids(found.search_posts(None, "kni scarf")) == []


def test_the_index_follows_edits_deletes_and_removals():
    post = PostFactory(text="an original sentence")
    assert _ids(found.search_posts(None, "original")) == [post.pk]
    Post.objects.filter(pk=post.pk).update(text="rewritten words")
    assert _ids(found.search_posts(None, "original")) == []
    assert _ids(found.search_posts(None, "rewritten")) == [post.pk]
    Post.objects.filter(pk=post.pk).delete()
    assert _ids(found.search_posts(None, "rewritten")) == []


def test_a_content_warning_is_searched_too():
    post = PostFactory(text="details below", content_warning="spoilers for the finale")
    assert _ids(found.search_posts(None, "finale")) == [post.pk]


def test_better_matches_rank_first():
    weak = PostFactory(text="python and a long list of other words about many other things entirely")
    strong = PostFactory(text="python python python")
    results = list(found.search_posts(None, "python"))
    assert [post.pk for post in results] == [strong.pk, weak.pk]
    assert results[0].search_rank > results[1].search_rank


@pytest.mark.parametrize(
    "q",
    ['"', 'a"b', "*", "scarf*", "AND", "scarf AND", "OR NOT", "-scarf", "(", "scarf)", "NEAR(scarf winter)",
     "text:scarf", "^scarf", "'", "scarf'; DROP TABLE social_post; --", "&|!", ":*", "\\", "%", "_"],
)  # fmt: skip
def test_special_characters_are_words_or_nothing_never_syntax(q):
    PostFactory(text="Knitting a scarf (for winter) AND spring")
    list(found.search_posts(None, q))  # no syntax error on either engine
    list(found.search_people(None, q))
    list(found.search_hashtags(None, q))


def test_operators_typed_are_plain_words():
    post = PostFactory(text="cats AND dogs")
    PostFactory(text="cats only")
    assert _ids(found.search_posts(None, "cats AND dogs")) == [post.pk]
    assert _ids(found.search_posts(None, '"cats" -dogs')) == [post.pk]


def test_accents_and_other_scripts():
    post = PostFactory(text="Zoë visits Москва")
    assert _ids(found.search_posts(None, "москва")) == [post.pk]
    assert _ids(found.search_posts(None, "zoë")) == [post.pk]


def test_a_query_is_bounded():
    assert search.clean_query("  fine  ") == "fine"
    with pytest.raises(ValidationError):
        search.clean_query("x" * (search.MAX_CHARS + 1))
    with pytest.raises(ValidationError):
        search.clean_query(" ".join(["w"] * (search.MAX_WORDS + 1)))
    assert search.fts5_query('a "b" c*') == '"a" "b" "c"*'
    assert search.tsquery("it's") == "'it' & 's':*"
    assert search.words("!!!") == []


def test_a_table_remade_by_a_migration_gets_its_triggers_back():
    if connection.vendor != "sqlite":
        pytest.skip("triggers are SQLite's")
    with connection.cursor() as cursor:
        cursor.execute('DROP TRIGGER "social_post_fts_ai"')
    post = PostFactory(text="missed by the index")
    assert _ids(found.search_posts(None, "missed")) == []
    assert search.ensure_sqlite_triggers() == ["social_post_fts"]
    assert _ids(found.search_posts(None, "missed")) == [post.pk]
    assert search.ensure_sqlite_triggers() == []


# --- Who finds which post -------------------------------------------------------------------


@pytest.fixture
def cast(readers, author):
    # The other way too: someone who blocked the author never finds the author's posts either.
    blocker = ProfileFactory(handle="blocker", user=UserFactory(display_name="Blocker")).user
    BlockFactory(blocker=blocker, blocked=author)
    CLUB_MEMBERS.add(blocker.pk)
    return {**readers, "blocker": blocker}


FINDS = {
    "public": {"visitor", "stranger", "follower", "mentioned", "member", "author"},
    "followers": {"follower", "author"},
    "mentioned": {"mentioned", "author"},
    "audience": {"member", "author"},
}
SEARCHERS = ("visitor", "stranger", "follower", "mentioned", "member", "blocked", "blocker", "author")


def _post(author, visibility):
    kwargs = {"visibility": visibility, "audience": "tests.club:chess" if visibility == "audience" else ""}
    return services.post_create(author=author, text=f"Marmalade {visibility} news @mentioned @blocker", **kwargs)


@pytest.mark.parametrize("visibility", list(FINDS))
@pytest.mark.parametrize("searcher", SEARCHERS)
def test_search_finds_a_post_only_for_its_readers(cast, visibility, searcher):
    post = _post(cast["author"], visibility)
    shown = post.pk in _ids(found.search_posts(cast.get(searcher), "marmalade"))
    assert shown is (searcher in FINDS[visibility])


@pytest.mark.parametrize("visibility", list(FINDS))
@pytest.mark.parametrize("searcher", SEARCHERS)
def test_the_page_shows_a_post_only_to_its_readers(client, cast, visibility, searcher):
    post = _post(cast["author"], visibility)
    if searcher != "visitor":
        client.force_login(cast[searcher])
    response = client.get(SEARCH, {"q": "marmalade", "type": "posts"})
    assert response.status_code == 200
    assert (f'id="post-{post.pk}"' in response.content.decode()) is (searcher in FINDS[visibility])


def test_the_blocked_side_finds_nothing_of_the_blocker_and_back(cast):
    theirs = services.post_create(author=cast["blocked"], text="marmalade from the blocked side")
    assert theirs.pk not in _ids(found.search_posts(cast["author"], "marmalade"))
    assert theirs.pk in _ids(found.search_posts(cast["stranger"], "marmalade"))


def test_deleted_posts_muted_people_and_reposts_are_not_found(cast):
    post = _post(cast["author"], "public")
    services.post_repost(user=cast["stranger"], post=post)
    assert _ids(found.search_posts(cast["follower"], "marmalade")) == [post.pk]
    MuteFactory(muter=cast["follower"], muted=cast["author"])
    assert _ids(found.search_posts(cast["follower"], "marmalade")) == []
    services.post_delete(actor=cast["author"], post=post)
    assert _ids(found.search_posts(cast["author"], "marmalade")) == []


def test_a_repost_of_an_unreadable_original_is_never_a_way_in(cast):
    """Reposts have no text, so the original is what search finds, by the original's own rule."""
    post = _post(cast["author"], "followers")
    assert _ids(found.search_posts(cast["stranger"], "marmalade")) == []
    assert post.pk not in _ids(found.search_posts(cast["blocked"], "marmalade"))


# --- People and hashtags ----------------------------------------------------------------------


def test_people_by_handle_prefix_name_and_bio(cast):
    knitter = ProfileFactory(handle="yarn_queen", user=UserFactory(display_name="Mira Stone", bio="I knit socks")).user
    assert _ids(found.search_people(None, "yarn")) == [knitter.pk]
    assert _ids(found.search_people(None, "@yarn_q")) == [knitter.pk]
    assert _ids(found.search_people(None, "mira")) == [knitter.pk]
    assert _ids(found.search_people(None, "sock")) == [knitter.pk]
    assert _ids(found.search_people(None, "stone mira")) == [knitter.pk]


def test_the_handle_asked_for_comes_first(cast):
    exact = ProfileFactory(handle="sam", user=UserFactory(display_name="Someone")).user
    longer = ProfileFactory(handle="samantha", user=UserFactory(display_name="Sam Ant")).user
    named = ProfileFactory(handle="zed", user=UserFactory(display_name="Sam Zed")).user
    assert _ids(found.search_people(None, "sam")) == [exact.pk, longer.pk, named.pk]


def test_people_blocked_either_way_never_appear(cast):
    names = lambda viewer: {user.social_profile.handle for user in found.search_people(viewer, "b")}  # noqa: E731
    assert names(cast["stranger"]) == {"blocked", "blocker"}
    assert names(cast["author"]) == set()
    assert "ada" not in {user.social_profile.handle for user in found.search_people(cast["blocked"], "ada")}
    assert "ada" not in {user.social_profile.handle for user in found.search_people(cast["blocker"], "ada")}


def test_inactive_people_and_users_without_a_profile_are_not_found(cast):
    UserFactory(display_name="Quill Noprofile")
    ProfileFactory(handle="quill", user=UserFactory(display_name="Quill Gone", is_active=False))
    assert _ids(found.search_people(None, "quill")) == []


def test_hashtags_by_prefix_most_used_first_and_only_with_public_posts(cast):
    author = cast["author"]
    for _ in range(2):
        tag_post(PostFactory(author=author, text="#gardening"), "gardening")
    tag_post(PostFactory(author=author, text="#garden"), "garden")
    tag_post(PostFactory(author=author, text="#gardenparty", visibility="followers"), "gardenparty")
    assert [tag.name for tag in found.search_hashtags(None, "#gard")] == ["gardening", "garden"]
    assert [tag.uses for tag in found.search_hashtags(None, "garden")] == [2, 1]
    # Across a block, the blocked side's uses do not count.
    assert list(found.search_hashtags(cast["blocked"], "gard")) == []


# --- The page -----------------------------------------------------------------------------------


def test_an_empty_query_shows_the_form_only(client):
    response = client.get(SEARCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="q"' in page and 'id="search-results"' not in page


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 101}, {"q": " ".join(["w"] * 9)}, {"q": "fine", "type": "nonsense"}],
)
def test_bad_input_is_a_form_error_never_a_500(client, params):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode() or "error" in response.content.decode()


def test_a_page_number_that_names_no_page_shows_the_nearest_one(client):
    PostFactory(text="fine words")
    for page in ("zz", "99", "-1"):
        assert client.get(SEARCH, {"q": "fine", "page": page}).status_code == 200


def test_the_page_tabs_between_kinds_and_htmx_gets_the_results_only(client, cast):
    _post(cast["author"], "public")
    tag_post(PostFactory(author=cast["author"], text="#marmalade"), "marmalade")
    full = client.get(SEARCH, {"q": "marmalade"}).content.decode()
    assert "<html" in full and 'id="search-results"' in full and "type=people" in full
    fragment = client.get(SEARCH, {"q": "marmalade", "type": "hashtags"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "#marmalade" in fragment.content.decode()
    people = client.get(SEARCH, {"q": "ada", "type": "people"}).content.decode()
    assert "@ada" in people


def test_the_social_pages_offer_the_search_field(client, cast):
    client.force_login(cast["stranger"])
    for name in ("social:home", "social:public", "social:trending"):
        page = client.get(reverse(name)).content.decode()
        assert f'action="{SEARCH}"' in page, name


def test_wrong_method_is_405(client):
    assert client.post(SEARCH, {"q": "x"}).status_code == 405


@pytest.mark.parametrize("kind", found.KINDS)
def test_a_page_of_results_costs_the_same_queries_whatever_its_length(
    client, cast, kind, django_assert_max_num_queries
):
    client.force_login(cast["follower"])

    def make(n):
        for i in range(n):
            post = PostFactory(author=cast["author"], text=f"#flat{i} flat words", visibility="public")
            tag_post(post, f"flat{i}")
            ProfileFactory(handle=f"flat{i}_{n}", user=UserFactory(display_name=f"Flat {i}"))

    make(2)
    params = {"q": "flat", "type": kind}
    client.get(SEARCH, params)  # warm the session's caches
    with django_assert_max_num_queries(40) as few:
        client.get(SEARCH, params)
    make(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(SEARCH, params)
    assert response.status_code == 200
