#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The fenced code blocks of README.md that tests run verbatim.

A block is marked by the second word of its info string (the first word
stays the language, so renderers still highlight it):

  ```nft router                      an nftables rule set: `nft -f -` in the
                                     router
  ```sh router                       shell commands, run in the router with
                                     `bash -e` (no "$ "/"# " prompts)
  ```nft fw4                         an OpenWrt fw4 include
                                     (/etc/nftables.d/*.nft): its text goes
                                     inside `table inet fw4 { ... }`
  ```conf /etc/modprobe.d/NAME.conf  a file installed at that path before
  ```conf /etc/modules-load.d/NAME.conf  the other blocks run

Every other block (no second word) is documentation only.

usage:
  readme_blocks.py README.md              marked blocks: INDEX LINE KIND [ARG]
  readme_blocks.py README.md --all        every block (KIND "-" if unmarked)
  readme_blocks.py README.md --text INDEX the block's text, verbatim

INDEX counts all fenced blocks of the file from 1; LINE is the line of the
opening fence. KIND is nft, sh, fw4 or file (ARG: the path).
"""
import re
import sys

FENCE = re.compile(r'^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$')
LANG_SH = {'sh', 'bash', 'shell'}


def blocks(text):
    """Yield (index, line, info, body) for each fenced block (CommonMark
    fences; indentation allowed so blocks inside list items count)."""
    lines = text.split('\n')
    i, index = 0, 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (m['fence'][0] == '`' and '`' in m['info']):
            i += 1
            continue
        index += 1
        start, fence, indent = i + 1, m['fence'], len(m['indent'])
        body = []
        i += 1
        while i < len(lines):
            c = FENCE.match(lines[i])
            if (c and c['fence'][0] == fence[0] and
                    len(c['fence']) >= len(fence) and not c['info'].strip()):
                break
            ln = lines[i]
            # Drop at most the fence's own indentation from each line.
            strip = len(ln) - len(ln.lstrip(' \t'))
            body.append(ln[min(indent, strip):])
            i += 1
        i += 1
        yield index, start, m['info'].strip(), '\n'.join(body) + '\n'


def kind(info, where):
    """(kind, arg) of an info string; kind None for documentation."""
    words = info.split()
    if len(words) < 2:
        return None, ''
    lang, mark = words[0].lower(), words[1]
    if mark == 'router' and lang == 'nft':
        return 'nft', ''
    if mark == 'router' and lang in LANG_SH:
        return 'sh', ''
    if mark == 'fw4' and lang == 'nft':
        return 'fw4', ''
    if re.fullmatch(r'/etc/(modprobe|modules-load)\.d/[\w.-]+\.conf', mark):
        return 'file', mark
    print(f'readme_blocks: {where}: info string "{info}" is no known marker;'
          ' block left as documentation', file=sys.stderr)
    return None, ''


def main(argv):
    if len(argv) < 2 or argv[1] in ('-h', '--help'):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    path = argv[1]
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if len(argv) == 4 and argv[2] == '--text':
        want = int(argv[3])
        for index, _line, _info, body in blocks(text):
            if index == want:
                sys.stdout.write(body)
                return 0
        print(f'readme_blocks: {path} has no block {want}', file=sys.stderr)
        return 1
    show_all = len(argv) == 3 and argv[2] == '--all'
    if len(argv) > 2 and not show_all:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for index, line, info, _body in blocks(text):
        k, arg = kind(info, f'{path}:{line}')
        if k or show_all:
            print(' '.join(str(w) for w in (index, line, k or '-', arg) if w))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
