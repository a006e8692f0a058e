from __future__ import annotations

from django.core.management import call_command

from apps.blog import bench
from apps.blog.models import Post


def test_the_bench_seed_writes_thirty_realistic_live_posts_once(client, db, settings):
    settings.DEBUG = True
    call_command("seed_demo")

    urls = bench.seed()
    bench.seed()

    assert urls["post_page"] == "/blog/bench-post-01/" and urls["post_list_api"] == "/api/v1/blog/posts/"
    posts = Post.objects.filter(slug__startswith="bench-post-", live=True)
    assert posts.count() == 30
    post = posts.get(slug="bench-post-01")
    assert [block["type"] for block in post.body][:3] == ["heading", "rich_text", "image"]
    assert post.cover and post.categories.count() == 1 and post.tags.count() == 3
    html = client.get(urls["post_page"]).content.decode()
    assert 'class="block block-image"' in html and 'srcset="' in html
