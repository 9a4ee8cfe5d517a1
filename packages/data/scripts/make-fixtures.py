"""Reference outputs of the PyTorch tutorials' text normalisation, for src/readers/*.test.ts.

Run: /usr/bin/python3 scripts/make-fixtures.py  (writes src/readers/fixtures/normalize.json)

normalizeString is the seq2seq tutorial's (the version that keeps '.', as the brief asks:
"separate punctuation"), with a final strip; unicodeToAscii is the names tutorial's.
"""
import json
import os
import re
import string
import unicodedata

ALL_LETTERS = string.ascii_letters + " .,;'"


def names_unicode_to_ascii(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s)
                   if unicodedata.category(c) != 'Mn' and c in ALL_LETTERS)


def unicode_to_ascii(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s) if unicodedata.category(c) != 'Mn')


def normalize_string(s):
    s = unicode_to_ascii(s.lower().strip())
    s = re.sub(r"([.!?])", r" \1", s)
    s = re.sub(r"[^a-zA-Z.!?]+", r" ", s)
    return s.strip()


SENTENCES = [
    "Go.", "Va !", "Marche.", "Bouge !", "Hi.", "Salut !", "J'ai froid.", "Qu'est-ce que c'est ?",
    "Ça va ? Très bien, merci.", "À l'aide !", "Il était une fois...", "Où êtes-vous ?",
    "He's 6'2\" tall!", "  Leading and trailing  ", "Naïve café — crème brûlée.", "¿Qué?¡Sí!",
    "Tom n\u2019est pas l\u00e0.", "Attends\u202f!", "100% sûr", "Ærøskøbing Œuvre ß", "C'est l'été, n'est-ce pas?",
    "\u00c9LÈVE", "tab\tinside", "",
]
NAMES = ["Ślusàrski", "Bensaïd", "Al-Abharī", "Raïs Hamidou", "O'Neal", "Müller", "Nguyễn", "Dvořák", "Æbelø", "Zhang"]

out = {
    "normalizeString": [[s, normalize_string(s)] for s in SENTENCES],
    "unicodeToAscii": [[s, names_unicode_to_ascii(s)] for s in NAMES],
}
path = os.path.join(os.path.dirname(__file__), '..', 'src', 'readers', 'fixtures', 'normalize.json')
with open(path, 'w', encoding='utf-8') as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write('\n')
print('wrote', os.path.normpath(path))
