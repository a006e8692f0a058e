"""The social network's pages, one module per part: posts (compose, a post with its thread, edit
and its history, delete, like, repost, bookmark, bookmarks) in ``posts``; profiles in
``profiles``. Views parse, ask ``selectors`` (which carry the visibility rule) and call one
service; a post the visitor may not read answers 404, whatever the reason."""
