"""The social network's data, one module per aggregate: who people are and how they relate
(profiles, follows, blocks, mutes) in ``relations``; posts and their interactions, and
direct messages, each in their own module, imported here so Django finds them."""

from apps.social.models.messages import Conversation, Message, Participant  # noqa: F401
from apps.social.models.moderation import FilteredPhrase  # noqa: F401
from apps.social.models.posts import Bookmark, Hashtag, Like, Mention, Post, PostEdit, PostHashtag, PostImage  # noqa: F401
from apps.social.models.relations import Block, Follow, Mute, Profile  # noqa: F401
