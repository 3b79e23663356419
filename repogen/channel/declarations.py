"""Typed declarations of a channel file: the releases one repository accumulates, in order.

```yaml
channel: nvidia-cuda
releases:          # oldest first, each relative to this file
  - cuda-12.5.1.yaml
  - cuda-12.6.0.yaml
  - driver-565.57.01.yaml
```
"""

from __future__ import annotations

from pydantic import Field

from repogen.model.declarations import Declaration, Identifier, OneOrMore, Template


class ChannelFile(Declaration):
    """A channel, after its includes are merged (a channel file may include others, as a
    model may)."""

    include: OneOrMore[str] = Field(
        default_factory=list, description="Files merged under this one, relative to it"
    )
    channel: Identifier = Field(description="The channel's name, e.g. nvidia-cuda")
    releases: OneOrMore[Template] = Field(
        min_length=1,
        description="Release model files, oldest first, relative to the file naming them",
    )
