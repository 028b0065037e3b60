#!/usr/bin/python3
"""Train Snowcrash's tiny demo model on synthetic robot dialogues and write it as a GGUF file.

Everything comes from this file: the dialogues (generated with a fixed seed), the tokenizer
(a SentencePiece-style vocabulary learned with BPE over the generated text), the model
(llama architecture: RMSNorm, RoPE, SwiGLU, no biases), the training loop and the GGUF export.
It needs only Debian's python3-torch (CPU, with the numpy it depends on) and the Python standard library:

    apt-get install -y python3-torch libopenblas0-openmp
    nice -n 15 /usr/bin/python3 training/train_demo.py train

libopenblas0-openmp matters: without it Debian's torch multiplies matrices with the reference
BLAS (about 3 GFLOP/s here instead of about 50) and training takes many hours.

Subcommands:
  train     generate data, learn the tokenizer, train, export the GGUF (resumable from the
            checkpoint in --workdir)
  export    write the GGUF from the last checkpoint
  sample    greedy answers of the GGUF's weights evaluated in torch, for the evaluation cases
  verify    compare against a running llama-server: tokenization of generated dialogues
            (POST /tokenize) and greedy answers (blocking and streaming chat completions) with
            the torch evaluation of the same GGUF; optionally merge java-llama.cpp answers and
            write the evaluation cases both runtimes agree on

The rendered chat is what llama.cpp builds from the ChatML template in the file, tokenized the
way llama.cpp's "llama" (SPM) tokenizer does it. Both are reproduced here exactly, and `verify`
checks that against a real llama-server.
"""

import argparse
import functools
import heapq
import json
import math
import os
import random
import struct
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(REPO, "demo-model/src/main/resources/org/snowcrash/demo/snowcrash-demo.gguf")

# ---------------------------------------------------------------------------------------------
# The chat format. The template is TinyLlama.CHATML_TEMPLATE, character for character: llama.cpp
# recognises ChatML by "<|im_start|>" and renders
#   <|im_start|>system\n{sys}<|im_end|>\n<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n
# ---------------------------------------------------------------------------------------------
CHATML_TEMPLATE = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
                   " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
                   "{{ '<|im_start|>assistant\\n' }}{% endif %}")

UNK, BOS, EOS_TEXT, IM_START, IM_END = 0, 1, 2, 3, 4
SPECIALS = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
N_BYTE = 256
FIRST_PIECE = len(SPECIALS) + N_BYTE  # 261
SPACE = "\u2581"  # "▁", SentencePiece's space marker

# ---------------------------------------------------------------------------------------------
# Synthetic dialogues
# ---------------------------------------------------------------------------------------------
# The 80 COCO classes an object detector reports, with the singular and plural the robot says.
COCO = [
    ("person", "person", "people"), ("bicycle",), ("car",), ("motorcycle",), ("airplane",),
    ("bus", "bus", "buses"), ("train",), ("truck",), ("boat",), ("traffic light",),
    ("fire hydrant",), ("stop sign",), ("parking meter",), ("bench", "bench", "benches"),
    ("bird",), ("cat",), ("dog",), ("horse",), ("sheep", "sheep", "sheep"), ("cow",),
    ("elephant",), ("bear",), ("zebra",), ("giraffe",), ("backpack",), ("umbrella",),
    ("handbag",), ("tie",), ("suitcase",), ("frisbee",), ("skis", "pair of skis", "pairs of skis"),
    ("snowboard",), ("sports ball",), ("kite",), ("baseball bat",), ("baseball glove",),
    ("skateboard",), ("surfboard",), ("tennis racket",), ("bottle",),
    ("wine glass", "wine glass", "wine glasses"), ("cup",), ("fork",),
    ("knife", "knife", "knives"), ("spoon",), ("bowl",), ("banana",), ("apple",),
    ("sandwich", "sandwich", "sandwiches"), ("orange",), ("broccoli", "broccoli", "broccoli"),
    ("carrot",), ("hot dog",), ("pizza",), ("donut",), ("cake",), ("chair",),
    ("couch", "couch", "couches"), ("potted plant",), ("bed",), ("dining table",), ("toilet",),
    ("tv",), ("laptop",), ("mouse", "mouse", "mice"), ("remote",), ("keyboard",),
    ("cell phone",), ("microwave",), ("oven",), ("toaster",), ("sink",), ("refrigerator",),
    ("book",), ("clock",), ("vase",), ("scissors", "pair of scissors", "pairs of scissors"),
    ("teddy bear",), ("hair drier",), ("toothbrush", "toothbrush", "toothbrushes"),
]
OBJECTS = [(c[0], c[1] if len(c) > 1 else c[0], c[2] if len(c) > 1 else c[0] + "s") for c in COCO]
assert len(OBJECTS) == 80
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five"]
POSITIONS = ["on the left", "on the right", "ahead", "in front of me", "behind me", "nearby",
             "far away", "on the table", "on the floor", "next to the door"]


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def phrase(sg, pl, count):
    """'a dog', 'an apple', 'two cups', 'a pair of skis'."""
    return f"{article(sg)} {sg}" if count == 1 else f"{NUMBER_WORDS[count]} {pl}"


def join_list(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


ROBOT_PROMPTS = [  # system prompts that carry a scene: (prefix, weight)
    ("You are Snowcrash, a small robot. Your camera sees: ", 6),
    ("You are Snowcrash, a small robot. Be brief. Your camera sees: ", 2),
    ("You are a small robot called Snowcrash. Your camera sees: ", 1),
    ("Your camera sees: ", 1),
]
GENERIC_PROMPTS = ["You are the robot's voice. Be brief.", "You are a robot.", "You are a helpful robot.",
                   "You are Snowcrash, a small robot.", "Answer in short sentences."]

GREET = (["Hello!", "Hi!", "Hello.", "Hi there!", "Hey!", "Good morning!", "Good evening!",
          "Hello, robot!", "Hello Snowcrash!", "hello", "hi"],
         "Hello! I am Snowcrash, a small robot. How can I help?")
FACTS = [
    (["What is your name?", "What's your name?", "Tell me your name.", "what is your name"],
     "My name is Snowcrash. I am a small robot."),
    (["Who are you?", "Introduce yourself.", "who are you"], "I am Snowcrash, a small robot."),
    (["What can you do?", "How can you help?", "What are you good at?", "What can you do for me?"],
     "I can tell you what my camera sees, count objects and say where they are. I can also do simple arithmetic."),
    (["What do you run on?", "What hardware do you run on?", "What computer do you use?", "Where do you run?"],
     "I run on a Jetson, a small computer with a GPU."),
    (["Are you a robot?", "Are you a machine?"], "Yes, I am Snowcrash, a small robot."),
    (["Are you human?", "Are you a person?"], "No, I am Snowcrash, a small robot."),
    (["How are you?", "How are you today?", "How is it going?"], "I am fine, thank you. How can I help?"),
    (["Thank you!", "Thanks.", "Thanks!", "thank you"], "You are welcome!"),
    (["Goodbye!", "Bye!", "See you later.", "bye"], "Goodbye! Have a nice day."),
    (["How do you see?", "Do you have a camera?", "How do you know what is around you?"],
     "I have a camera and a detector that finds common objects."),
    (["Who made you?", "Who built you?"], "I was built by the Snowcrash project."),
    (["What is the weather like?", "Can you fly?", "Sing a song.", "What time is it?", "Tell me a joke."],
     "I do not know. I can tell you what I see."),
]
# Phrasings are built from parts: a prefix ("Snowcrash, ", "please "), a core with slots
# ("how many {pl} do you see", "{verb} {dir} {n} {u}") and an ending. A phrasing's skeleton is
# its template in lower case without punctuation, slots unfilled; the held-out phrasings'
# skeletons (HELD_OUT_* below) are never generated for training, with any object or number.
Q_PREFIXES = ["", "", "", "snowcrash, ", "robot, ", "hey, ", "ok, ", "so "]
IMP_PREFIXES = ["", "", "", "please ", "can you ", "could you ", "would you ", "snowcrash, ", "robot, ", "hey, ", "ok, "]
SEE_CORES = (["what do you see", "what can you see", "what do you see right now", "what does your camera see",
              "what is around you", "what objects do you see", "what is in front of your camera",
              "what do you see now", "what is in front of you", "what are you looking at"],
             ["tell me what you see", "describe what you see", "look around and tell me what you see",
              "list what you see", "describe the scene"])
COUNT_CORES = (["how many {pl} do you see", "how many {pl} are there", "how many {pl} can you see", "how many {pl}",
                "how many {pl} does your camera see"],
               ["count the {pl}", "tell me how many {pl} you see", "count the {pl} you see"])
WHERE_SG_CORES = (["where is the {sg}", "where is {a_sg}", "where do you see the {sg}", "where is the {sg} located"],
                  ["tell me where the {sg} is"])
WHERE_PL_CORES = (["where are the {pl}", "where do you see {pl}", "where do you see the {pl}", "where are the {pl} located"],
                  ["tell me where the {pl} are"])
HAS_SG_CORES = (["is there {a_sg}", "do you see {a_sg}", "can you see {a_sg}", "is there {a_sg} here",
                 "is there {a_sg} around", "does your camera see {a_sg}"], [])
HAS_PL_CORES = (["are there any {pl}", "do you see any {pl}", "can you see any {pl}", "are there {pl} here"], [])
# --lookup-mix (an experiment, off by default so the default data stay those of the committed model):
# more phrasings of where / is there, and (see scene_question, random_scene) more of those questions,
# more often about an object that is there, and more scenes of 3-4 objects.
LOOKUP_MIX = {"on": False}
LOOKUP_EXTRA_CORES = {
    "where_sg": (["where's the {sg}", "where can you see the {sg}", "where exactly is the {sg}", "where did you see the {sg}",
                  "can you tell me where the {sg} is"],
                 ["say where the {sg} is", "show me where the {sg} is", "tell me where you see the {sg}"]),
    "where_pl": (["where can you see the {pl}", "where exactly are the {pl}", "where did you see the {pl}",
                  "can you tell me where the {pl} are"],
                 ["say where the {pl} are", "show me where the {pl} are", "tell me where you see the {pl}"]),
    "has_sg": (["is there {a_sg} anywhere", "can you spot {a_sg}", "do you have {a_sg} in view", "is there {a_sg} in the scene"],
               ["tell me if you see {a_sg}", "look for {a_sg}", "check if there is {a_sg}"]),
    "has_pl": (["are there any {pl} around", "can you spot any {pl}", "do you see {pl}", "are there any {pl} in the scene"],
               ["tell me if you see any {pl}", "look for {pl}", "check if there are any {pl}"]),
}


def lookup_cores(key, cores):
    if not LOOKUP_MIX["on"]:
        return cores
    extra = LOOKUP_EXTRA_CORES[key]
    return cores[0] + extra[0], cores[1] + extra[1]


NO_SCENE_A = "I cannot see anything right now."
CANNOT_A = "I do not know. I can tell you what I see."

ARITH_CORES = {  # (question cores, imperative cores); the answer is always "{a} {op} {b} is {r}."
    "plus": (["what is {a} plus {b}", "what is {a} + {b}", "how much is {a} plus {b}", "{a} plus {b}", "{a} + {b}",
              "what is the sum of {a} and {b}", "what's {a} plus {b}"],
             ["add {a} and {b}", "calculate {a} plus {b}", "compute {a} + {b}"]),
    "minus": (["what is {a} minus {b}", "what is {a} - {b}", "how much is {a} minus {b}", "{a} minus {b}", "{a} - {b}",
               "what is the difference between {a} and {b}", "what's {a} minus {b}"],
              ["subtract {b} from {a}", "calculate {a} minus {b}", "take {b} away from {a}"]),
    "times": (["what is {a} times {b}", "what is {a} * {b}", "how much is {a} times {b}", "{a} times {b}", "{a} * {b}",
               "what is the product of {a} and {b}", "what's {a} times {b}"],
              ["multiply {a} by {b}", "multiply {a} and {b}", "calculate {a} times {b}"]),
}
OPS = {"plus": lambda a, b: a + b, "minus": lambda a, b: a - b, "times": lambda a, b: a * b}

# Commands. {n} is the number as the user writes it (digits or a word), {u} the unit.
MOVE_VERBS = ["drive", "move", "go", "roll", "head"]
MOVE_DIRS = {"forward": ["forward", "forwards", "ahead", "straight", "straight ahead"],
             "backward": ["back", "backward", "backwards", "in reverse"]}
MOVE_ALONE = {"forward": ["advance", "drive on"], "backward": ["back up", "reverse"]}
MOVE_AMOUNTS = ["{n} {u}", "{n} {u}", "{n} m", "by {n} {u}", "for {n} {u}"]
TURN_VERBS = ["turn", "rotate", "spin", "pivot"]
TURN_DIRS = {"left": ["left", "to the left"], "right": ["right", "to the right"]}
TURN_AMOUNTS = ["{n} {u}", "{n} {u}", "by {n} {u}", "{n} deg"]
CMD_SUFFIXES = ["", "", ".", ".", "!", " please", ", please.", " now.", " now"]
NUMBER_NAMES = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
                10: "ten", 15: "fifteen", 20: "twenty", 30: "thirty", 45: "forty-five", 60: "sixty", 90: "ninety",
                180: "one hundred eighty"}
COMMON_DEGREES = [5, 10, 15, 20, 30, 45, 60, 90, 90, 120, 135, 180, 270, 360]
RESULT_OK = ["ok", "done", '{"ok":true}', "OK", "success", '{"status":"ok"}', "true", "completed", "moved"]
ERRORS = ["obstacle ahead", "battery low", "wheel blocked", "path blocked", "motor fault", "not allowed",
          "timeout", "too close to the wall", "emergency stop", "cliff detected", "motors are off", "busy"]

# The demo's two tools, as OpenAI function objects (properties in this order).
TOOL_MOVE = {"name": "move", "description": "Drive straight.",
             "parameters": {"type": "object", "properties": {"direction": {"type": "string", "enum": ["forward", "backward"]},
                                                             "meters": {"type": "number"}},
                            "required": ["direction", "meters"]}}
TOOL_TURN = {"name": "turn", "description": "Turn in place.",
             "parameters": {"type": "object", "properties": {"direction": {"type": "string", "enum": ["left", "right"]},
                                                             "degrees": {"type": "number"}},
                            "required": ["direction", "degrees"]}}
TOOLSETS = [([TOOL_MOVE, TOOL_TURN], 4), ([TOOL_TURN, TOOL_MOVE], 2), ([TOOL_MOVE], 2), ([TOOL_TURN], 2)]


def skeleton(template):
    """A phrasing's identity: lower case, no punctuation, single spaces, slots unfilled."""
    s = template.lower()
    for ch in ",.?!":
        s = s.replace(ch, "")
    return " ".join(s.split())


def assemble(rng, core, imperative):
    """prefix + core + ending, first letter upper case most of the time; returns the template."""
    pre = rng.choice(IMP_PREFIXES if imperative else Q_PREFIXES)
    if imperative:
        end = "?" if pre in ("can you ", "could you ", "would you ") and rng.random() < 0.8 else rng.choice(["", ".", ".", "!"])
    else:
        end = rng.choice(["?", "?", "?", ""])
    t = pre + core + end
    return t[0].upper() + t[1:] if rng.random() < 0.75 else t


def pick(rng, cores, held_out):
    """A template from (question cores, imperative cores) whose skeleton is not held out."""
    qs, imps = cores
    while True:
        imperative = bool(imps) and rng.random() < len(imps) / (len(qs) + len(imps)) + 0.1
        t = assemble(rng, rng.choice(imps if imperative else qs), imperative)
        if skeleton(t) not in HELD_OUT and skeleton(t) not in held_out:
            return t


def fill(t, **kw):
    return t.format(**kw)


def arithmetic(rng, held_out=frozenset()):
    op = rng.choice(list(OPS))
    a, b = rng.randint(0, 10), rng.randint(0, 10)
    if op == "minus" and b > a:
        a, b = b, a
    q = fill(pick(rng, ARITH_CORES[op], held_out), a=a, b=b)
    return q, f"{a} {op} {b} is {OPS[op](a, b)}."


def random_scene(rng, excluded=frozenset()):
    """1-4 distinct objects (rarely none), each with a count 1-5 and a position."""
    while True:
        k = 0 if rng.random() < 0.03 else rng.choice([1, 1, 2, 2, 2, 3, 3, 3, 4, 4] if LOOKUP_MIX["on"] else [1, 1, 2, 2, 2, 3, 3, 4])
        idx = rng.sample(range(len(OBJECTS)), k)
        if frozenset(idx) not in excluded:
            break
    return [(i, rng.choice([1, 1, 1, 2, 2, 3, 4, 5]), rng.choice(POSITIONS)) for i in idx]


def scene_text(scene):
    return join_list([f"{phrase(OBJECTS[i][1], OBJECTS[i][2], c)} {p}" for i, c, p in scene]) if scene else "nothing"


def scene_prompt(prefix, scene):
    if not scene:
        return prefix + "nothing."
    return prefix + ", ".join(f"{phrase(OBJECTS[i][1], OBJECTS[i][2], c)} {p}" for i, c, p in scene) + "."


def scene_answer(kind, scene, obj, plural_q):
    """The answer to a question of this kind about object obj (None for 'see')."""
    if scene is None:
        return NO_SCENE_A
    if kind == "see":
        return ("I see " + scene_text(scene) + ".") if scene else "I do not see anything."
    _, sg, pl = OBJECTS[obj]
    found = next(((c, p) for i, c, p in scene if i == obj), None)
    if kind == "count":
        return f"I see {NUMBER_WORDS[found[0]]} {sg if found[0] == 1 else pl}." if found else f"I do not see any {pl}."
    if kind == "where":
        if not found:
            return f"I do not see any {pl}." if plural_q else f"I do not see {article(sg)} {sg}."
        c, p = found
        return f"The {sg} is {p}." if c == 1 else f"The {pl} are {p}."
    if not found:
        return f"No, I do not see any {pl}." if plural_q else f"No, I do not see {article(sg)} {sg}."
    c, p = found
    return f"Yes, I see {phrase(sg, pl, c)} {p}."


def scene_question(rng, scene, held_out=frozenset(), kinds=("see", "count", "where", "has"), weights=None, p_present=None):
    """A question about the scene and the answer it implies (scene None: no camera information)."""
    if weights is None:  # --lookup-mix weighs where / is there most (the 800-step model: 2/8 where, 0/4 has held out)
        weights = (2, 3, 4, 4) if LOOKUP_MIX["on"] else (3, 3, 2, 3)
    if p_present is None:
        p_present = 0.7 if LOOKUP_MIX["on"] else 0.55
    kind = rng.choices(kinds, weights)[0]
    present = [i for i, _, _ in scene or []]
    if kind == "see":
        return pick(rng, SEE_CORES, held_out), scene_answer("see", scene, None, False)
    # ask about an object of the scene about half the time or more (when there is one), else any other object
    if present and rng.random() < p_present:
        obj = rng.choice(present)
    else:
        obj = rng.choice([i for i in range(len(OBJECTS)) if i not in present])
    _, sg, pl = OBJECTS[obj]
    plural_q = rng.random() < 0.35
    cores = {"count": COUNT_CORES,
             "where": lookup_cores("where_pl", WHERE_PL_CORES) if plural_q else lookup_cores("where_sg", WHERE_SG_CORES),
             "has": lookup_cores("has_pl", HAS_PL_CORES) if plural_q else lookup_cores("has_sg", HAS_SG_CORES)}[kind]
    q = fill(pick(rng, cores, held_out), sg=sg, pl=pl, a_sg=f"{article(sg)} {sg}")
    return q, scene_answer(kind, scene, obj, plural_q)


def general_question(rng, held_out=frozenset()):
    r = rng.random()
    if r < 0.15:
        return rng.choice(GREET[0]), GREET[1]
    if r < 0.5:
        qs, a = rng.choice(FACTS)
        return rng.choice(qs), a
    return arithmetic(rng, held_out)


def number(v):
    """A JSON number: 3, 1.5."""
    return int(v) if float(v).is_integer() else float(v)


def command_template(rng, tool):
    """(template with {n} and {u}, direction) of a spoken command for the tool."""
    if tool == "move":
        d = rng.choice(["forward", "backward"])
        if rng.random() < 0.2:
            core = rng.choice(MOVE_ALONE[d]) + " " + rng.choice(MOVE_AMOUNTS)
        else:
            verb, dw, amt = rng.choice(MOVE_VERBS), rng.choice(MOVE_DIRS[d]), rng.choice(MOVE_AMOUNTS)
            core = f"{verb} {dw} {amt}" if rng.random() < 0.7 or dw == "straight ahead" else f"{verb} {amt} {dw}"
    else:
        d = rng.choice(["left", "right"])
        verb, dw, amt = rng.choice(TURN_VERBS), rng.choice(TURN_DIRS[d]), rng.choice(TURN_AMOUNTS)
        core = f"{verb} {dw} {amt}" if rng.random() < 0.6 else f"{verb} {amt} {dw}"
    pre = rng.choice(IMP_PREFIXES + ["i want you to ", "now "])
    end = "?" if pre in ("can you ", "could you ", "would you ") and rng.random() < 0.8 else rng.choice(CMD_SUFFIXES)
    t = pre + core + end
    return (t[0].upper() + t[1:] if rng.random() < 0.7 else t), d


def command_amount(rng, tool):
    """(value, as the user writes it)."""
    if tool == "move":
        r = rng.random()
        if r < 0.25:
            v = rng.choice([0.5, 1.5, 2.5, 0.5]) if rng.random() < 0.5 else rng.randint(0, 9) + rng.randint(1, 9) / 10
            return number(round(v, 1)), str(round(v, 1))
        v = rng.randint(1, 10)
    else:
        v = rng.choice(COMMON_DEGREES) if rng.random() < 0.6 else rng.randint(1, 359)
    return v, NUMBER_NAMES[v] if v in NUMBER_NAMES and rng.random() < 0.35 else str(v)


def unit(tool, value, written):
    word = "meter" if tool == "move" else "degree"
    return word if value == 1 and written in ("1", "one") else word + "s"


def command(rng, tool, held_out=frozenset()):
    """(spoken command, arguments) whose skeleton is not held out."""
    while True:
        t, d = command_template(rng, tool)
        if skeleton(t) not in HELD_OUT and skeleton(t) not in held_out:
            break
    v, w = command_amount(rng, tool)
    args = {"direction": d, ("meters" if tool == "move" else "degrees"): v}
    return t.format(n=w, u=unit(tool, v, w)), args


def call_json(name, args):
    return json.dumps(args, separators=(",", ":"), ensure_ascii=False)


def confirmation(name, args):
    """The sentence after a call's result: derived from the call."""
    if name == "move":
        v = args["meters"]
        return f"I moved {args['direction']} {json.dumps(v)} meter{'' if v == 1 else 's'}."
    v = args["degrees"]
    return f"I turned {args['direction']} {json.dumps(v)} degree{'' if v == 1 else 's'}."


def result_content(rng, name, args):
    r = rng.random()
    if r < 0.12:
        return "error: " + rng.choice(ERRORS)
    if r < 0.35:
        amount = (f"{json.dumps(args['meters'])} meters" if name == "move" else f"{json.dumps(args['degrees'])} degrees")
        return f"would {name} {args['direction']} {amount}"
    return rng.choice(RESULT_OK)


def after_result(name, args, content):
    if content.startswith("error"):
        reason = content[len("error"):].lstrip(":").strip()
        return f"I could not do that: {reason}." if reason else "I could not do that."
    return confirmation(name, args)


# ---------------------------------------------------------------------------------------------
# Snowcrash's tool format (docs/tool-format.md), as tools/.../ToolPrompt.java renders it.
# training/tool-prompt-cases.json holds cases of this rendering that a JUnit test replays in Java.
# ---------------------------------------------------------------------------------------------
CALL_INSTRUCTION = 'Call a tool by answering {"name":"<tool>","arguments":{<arguments>}}, one call per line.'


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def tool_signature(tool):
    schema = tool["parameters"]
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        if isinstance(prop.get("enum"), list):
            typ = "|".join(v if isinstance(v, str) else compact(v) for v in prop["enum"])
        elif "const" in prop:
            typ = compact(prop["const"])
        elif isinstance(prop.get("type"), str):
            typ = prop["type"]
        elif isinstance(prop.get("type"), list):
            typ = "|".join(prop["type"])
        else:
            typ = "any"
        params.append(f"{name}{'' if name in required else '?'}: {typ}")
    return f"{tool['name']}({', '.join(params)})"


def tools_block(tools):
    lines = ["Tools:"]
    for t in tools:
        lines.append("- " + tool_signature(t) + (": " + t["description"] if t.get("description") else ""))
    return "\n".join(lines) + "\n" + CALL_INSTRUCTION


def call_line(call):
    return '{"name":' + compact(call["name"]) + ',"arguments":' + compact(json.loads(call["arguments"])) + "}"


def render_api(messages, tools):
    """API-level messages ({role, content, tool_calls?, tool_call_id?}; role system, user, assistant,
    tool) -> [(role, text)] with system, user and assistant only: ToolPrompt.render, line by line."""
    out, tool_of_call, i = [], {}, 0
    if tools:
        block = tools_block(tools)
        if messages and messages[0]["role"] == "system":
            out.append(("system", messages[0]["content"] + "\n" + block))
            i = 1
        else:
            out.append(("system", block))
    results = None
    for m in messages[i:]:
        if m["role"] == "tool":
            line = f"Result of {tool_of_call.get(m.get('tool_call_id'), 'tool')}: {m['content']}"
            results = line if results is None else results + "\n" + line
            continue
        if results is not None:
            out.append(("user", results))
            results = None
        if m.get("tool_calls"):
            lines = [m["content"]] if m.get("content") else []
            for c in m["tool_calls"]:
                tool_of_call[c["id"]] = c["name"]
                lines.append(call_line(c))
            out.append(("assistant", "\n".join(lines)))
        else:
            out.append((m["role"], m["content"]))
    if results is not None:
        out.append(("user", results))
    return out


def lookup_drill(rng, excluded=frozenset(), held_out=frozenset()):
    """A scene of 2-4 objects and 2-4 questions that each name one object (where, is there, how
    many), mostly one that is there: finding the named object and reporting its own position and
    count is what the small model learns last, so --drill makes a share of the dialogues this."""
    tools = rng.choices([t for t, _ in TOOLSETS], [w for _, w in TOOLSETS])[0] if rng.random() < 0.5 else []
    prefix = rng.choices([p for p, _ in ROBOT_PROMPTS], [w for _, w in ROBOT_PROMPTS])[0]
    while True:
        scene = random_scene(rng, excluded)
        if len(scene) >= 2:
            break
    msgs = [{"role": "system", "content": scene_prompt(prefix, scene)}]
    for _ in range(rng.choice([2, 3, 3, 4])):
        q, a = scene_question(rng, scene, held_out, kinds=("count", "where", "has"), weights=(1, 2, 2), p_present=0.8)
        msgs += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return msgs, tools


def api_dialogue(rng, excluded=frozenset(), held_out=frozenset(), drill=0.0):
    """A conversation at the API level: (messages, tools), ending with an assistant message."""
    if drill and rng.random() < drill:
        return lookup_drill(rng, excluded, held_out)
    tools = rng.choices([t for t, _ in TOOLSETS], [w for _, w in TOOLSETS])[0] if rng.random() < 0.55 else []
    names = [t["name"] for t in tools]
    r = rng.random()
    if r < 0.65:  # a scene in the system prompt
        prefix = rng.choices([p for p, _ in ROBOT_PROMPTS], [w for _, w in ROBOT_PROMPTS])[0]
        scene = random_scene(rng, excluded)
        msgs = [{"role": "system", "content": scene_prompt(prefix, scene)}]
        p_scene = 0.8
    else:  # no scene: no system prompt, or a generic one
        scene = None
        msgs = [] if rng.random() < 0.5 else [{"role": "system", "content": rng.choice(GENERIC_PROMPTS)}]
        p_scene = 0.3
    p_cmd = 0.45 if tools else 0.1
    calls = 0
    for _ in range(rng.choices([1, 2, 3, 4], [4, 3, 2, 1])[0]):
        u = rng.random()
        if u < p_cmd:
            name = rng.choice(names) if names and rng.random() < 0.85 else rng.choice(["move", "turn"])
            q, args = command(rng, name, held_out)
            msgs.append({"role": "user", "content": q})
            if name not in names:
                msgs.append({"role": "assistant", "content": CANNOT_A})
                continue
            calls += 1
            cid = f"call_{calls}"
            msgs.append({"role": "assistant", "content": "",
                         "tool_calls": [{"id": cid, "name": name, "arguments": call_json(name, args)}]})
            if rng.random() < 0.9:
                content = result_content(rng, name, args)
                msgs.append({"role": "tool", "tool_call_id": cid, "content": content})
                msgs.append({"role": "assistant", "content": after_result(name, args, content)})
            else:
                break  # ends with the call
        else:
            q, a = scene_question(rng, scene, held_out) if rng.random() < p_scene else general_question(rng, held_out)
            msgs += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return msgs, tools


def dialogue(rng, excluded=frozenset(), held_out=frozenset(), drill=0.0):
    """A rendered conversation: list of (role, text), system first when there is one, ending with the assistant."""
    return render_api(*api_dialogue(rng, excluded, held_out, drill))


# ---------------------------------------------------------------------------------------------
# Tokenizer: SentencePiece-style vocabulary for llama.cpp's "llama" (SPM) tokenizer.
# llama.cpp replaces " " by "▁" and then repeatedly merges the adjacent pair of symbols whose
# concatenation is a vocabulary entry with the highest score (ties: leftmost); characters that
# are not in the vocabulary become <0xNN> byte tokens. Text between special tokens is tokenized
# piece by piece. tokenizer.ggml.add_space_prefix is written as false, so no "▁" is put in front
# of a text piece (with true, llama.cpp versions differ in where they add it).
# The vocabulary comes from BPE over the generated dialogues: a piece's score falls with its
# merge order, every intermediate piece is in the vocabulary, "▁" only starts a piece, pieces
# never contain a newline or a digit (numbers are spelled digit by digit, which keeps arithmetic
# answers regular).
# ---------------------------------------------------------------------------------------------
def words_of(text):
    """Split escaped text at the points no vocabulary piece crosses: before each ▁ and around \\n."""
    out, cur = [], ""
    for ch in text:
        if ch == SPACE or ch == "\n":
            if cur:
                out.append(cur)
            cur = ch
            if ch == "\n":
                out.append(cur)
                cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def mergeable(piece):
    return "\n" not in piece and not any(c.isdigit() for c in piece) and SPACE not in piece[1:]


def merge_pair(words, a, b):
    """Word counts with every adjacent (a, b) in each word merged into one piece a + b."""
    new = {}
    for w, c in words.items():
        out, i = [], 0
        while i < len(w):
            if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                out.append(a + b)
                i += 2
            else:
                out.append(w[i])
                i += 1
        new[tuple(out)] = new.get(tuple(out), 0) + c
    return new


def learn_vocab(texts, size):
    """BPE over word counts. Returns [(piece, score)] for the normal pieces, in vocabulary order."""
    counts = {}
    for t in texts:
        for w in words_of(t.replace(" ", SPACE)):
            if w != "\n":
                counts[w] = counts.get(w, 0) + 1
    chars = sorted({c for w in counts for c in w})
    words = {tuple(w): n for w, n in counts.items()}
    merges = []
    budget = size - FIRST_PIECE - len(chars)
    while len(merges) < budget:
        pairs = {}
        for w, n in words.items():
            for a, b in zip(w, w[1:]):
                if mergeable(a + b):
                    pairs[(a, b)] = pairs.get((a, b), 0) + n
        if not pairs:
            break
        # most frequent pair; ties broken by the pair itself so the result is deterministic
        (a, b), n = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if n < 2:
            break
        merges.append(a + b)
        words = merge_pair(words, a, b)
    # Earlier merges score higher, so llama.cpp applies them first. Single characters are never
    # the result of a merge; their score does not matter and is set below all merges.
    vocab = [(m, -float(k + 1)) for k, m in enumerate(merges)]
    vocab += [(c, -float(len(merges) + 1 + k)) for k, c in enumerate(chars) if c not in set(merges)]
    return vocab


class Tokenizer:
    def __init__(self, pieces):
        """pieces: [(text, score)] normal pieces (after specials and byte tokens)."""
        self.tokens = SPECIALS + [f"<0x{b:02X}>" for b in range(N_BYTE)] + [p for p, _ in pieces]
        self.scores = [0.0] * FIRST_PIECE + [s for _, s in pieces]
        self.types = [2, 3, 3, 3, 3] + [6] * N_BYTE + [1] * len(pieces)  # unknown, control, byte, normal
        self.ids = {}
        for i, t in enumerate(self.tokens):
            self.ids[t] = i  # llama.cpp's token_to_id: the last entry of a text wins (there are no duplicates)
        assert len(self.ids) == len(self.tokens), "duplicate token text"

    def spm(self, text):
        """llama.cpp's llm_tokenizer_spm on one piece of escaped text, ported line by line."""
        n = len(text)
        if n == 0:
            return []
        start = list(range(n))
        size = [1] * n
        prev = [i - 1 for i in range(n)]
        nxt = [i + 1 if i + 1 < n else -1 for i in range(n)]
        queue = []
        rev = {}

        def add(left, right):
            if left == -1 or right == -1:
                return
            t = text[start[left]:start[left] + size[left] + size[right]]
            tid = self.ids.get(t)
            if tid is None:
                return
            heapq.heappush(queue, (-self.scores[tid], left, right, size[left] + size[right]))
            rev[t] = (left, right)

        for i in range(1, n):
            add(i - 1, i)
        while queue:
            _, left, right, sz = heapq.heappop(queue)
            if size[left] == 0 or size[right] == 0 or size[left] + size[right] != sz:
                continue
            size[left] += size[right]
            size[right] = 0
            nxt[left] = nxt[right]
            if nxt[right] != -1:
                prev[nxt[right]] = left
            add(prev[left], left)
            add(left, nxt[left])
        out = []
        i = 0
        while i != -1:
            self._resegment(text[start[i]:start[i] + size[i]], out)
            i = nxt[i]
        return out

    def _resegment(self, t, out):
        tid = self.ids.get(t)
        if tid is not None:
            out.append(tid)
        else:  # merged symbols are always in the vocabulary, so this is a single unknown character
            assert len(t) == 1
            out.extend(FIRST_PIECE - N_BYTE + b for b in t.encode("utf-8"))

    @functools.lru_cache(maxsize=200000)
    def _word(self, w):
        return tuple(self.spm(w))

    def encode_text(self, text):
        """Tokens of text with no special tokens in it (pieces never cross a word, see words_of)."""
        out = []
        for w in words_of(text.replace(" ", SPACE)):
            out.extend(self._word(w))
        return out

    def encode_text_slow(self, text):
        return self.spm(text.replace(" ", SPACE))

    def encode_special(self, text):
        """Like llama.cpp with parse_special: special token texts become their tokens."""
        out, i = [], 0
        while i < len(text):
            j, tok = min(((text.find(s, i), k) for k, s in enumerate(SPECIALS) if text.find(s, i) >= 0),
                         default=(len(text), None))
            out.extend(self.encode_text(text[i:j]))
            if tok is None:
                break
            out.append(tok)
            i = j + len(SPECIALS[tok])
        return out

    def decode(self, ids):
        b = bytearray()
        for t in ids:
            if t < len(SPECIALS):
                b += SPECIALS[t].encode()
            elif t < FIRST_PIECE:
                b.append(t - (FIRST_PIECE - N_BYTE))
            else:
                b += self.tokens[t].replace(SPACE, " ").encode()
        return b.decode("utf-8", errors="replace")


def render(msgs, generation_prompt):
    """The ChatML template's output for these messages."""
    s = "".join(f"<|im_start|>{r}\n{c}<|im_end|>\n" for r, c in msgs)
    return s + ("<|im_start|>assistant\n" if generation_prompt else "")


def encode_dialogue(tok, msgs):
    """Token ids and loss mask of a whole conversation: BOS, then the template. The assistant's
    words and its closing <|im_end|> are trained; the "\\n" after it and the prompts are not."""
    ids, mask = [BOS], [0]
    for r, c in msgs:
        head = [IM_START] + tok.encode_text(r + "\n")
        ids += head
        mask += [0] * len(head)
        body = tok.encode_text(c) + [IM_END]
        ids += body
        mask += [1 if r == "assistant" else 0] * len(body)
        nl = tok.encode_text("\n")
        ids += nl
        mask += [0] * len(nl)
    # the last assistant turn ends the sequence at its <|im_end|>
    return ids[:-len(nl)], mask[:-len(nl)]


def prompt_ids(tok, msgs):
    """What a runtime feeds the model for msgs (ending with a user turn): BOS + rendered template."""
    return [BOS] + tok.encode_special(render(msgs, True))


# ---------------------------------------------------------------------------------------------
# Model: llama as llama.cpp computes it.
# ---------------------------------------------------------------------------------------------
def build_model(torch, cfg):
    nn = torch.nn
    F = torch.nn.functional

    class RMSNorm(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(d))

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + cfg["eps"]) * self.weight

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            d, f = cfg["dim"], cfg["ffn"]
            self.attn_norm = RMSNorm(d)
            self.wq = nn.Linear(d, d, bias=False)
            self.wk = nn.Linear(d, d, bias=False)
            self.wv = nn.Linear(d, d, bias=False)
            self.wo = nn.Linear(d, d, bias=False)
            self.ffn_norm = RMSNorm(d)
            self.gate = nn.Linear(d, f, bias=False)
            self.up = nn.Linear(d, f, bias=False)
            self.down = nn.Linear(f, d, bias=False)

        def forward(self, x, cos, sin, mask):
            b, t, d = x.shape
            h = cfg["heads"]
            hd = d // h
            y = self.attn_norm(x)
            q = rope(self.wq(y).view(b, t, h, hd), cos, sin).transpose(1, 2)
            k = rope(self.wk(y).view(b, t, h, hd), cos, sin).transpose(1, 2)
            v = self.wv(y).view(b, t, h, hd).transpose(1, 2)
            att = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + mask[:t, :t]
            y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
            x = x + self.wo(y)
            y = self.ffn_norm(x)
            return x + self.down(F.silu(self.gate(y)) * self.up(y))

    def rope(x, cos, sin):
        # llama.cpp's "normal" RoPE for general.architecture=llama rotates adjacent pairs
        # (x[2i], x[2i+1]) by pos * base^(-2i/head_dim); Q and K are exported unpermuted.
        t = x.shape[1]
        x0, x1 = x[..., 0::2], x[..., 1::2]
        c, s = cos[:t, None, :], sin[:t, None, :]
        return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), -1).flatten(-2)

    class Llama(nn.Module):
        def __init__(self):
            super().__init__()
            d, hd = cfg["dim"], cfg["dim"] // cfg["heads"]
            self.tok = nn.Embedding(cfg["vocab"], d)
            self.blocks = nn.ModuleList(Block() for _ in range(cfg["layers"]))
            self.norm = RMSNorm(d)
            self.out = nn.Linear(d, cfg["vocab"], bias=False)
            self.out.weight = self.tok.weight  # tied; exported as both token_embd and output
            n = cfg["ctx"]
            inv = cfg["rope_base"] ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
            ang = torch.arange(n, dtype=torch.float64)[:, None] * inv[None, :]
            self.register_buffer("cos", ang.cos().float(), persistent=False)
            self.register_buffer("sin", ang.sin().float(), persistent=False)
            self.register_buffer("mask", torch.full((n, n), float("-inf")).triu(1), persistent=False)
            for name, p in self.named_parameters():
                if p.dim() == 2:
                    std = 0.02 / math.sqrt(2 * cfg["layers"]) if name.endswith(("wo.weight", "down.weight")) else 0.02
                    torch.nn.init.normal_(p, 0.0, std)

        def forward(self, ids):
            x = self.tok(ids)
            for b in self.blocks:
                x = b(x, self.cos, self.sin, self.mask)
            return self.out(self.norm(x))

    return Llama()


def greedy(torch, model, ids, max_new=64):
    out = []
    with torch.no_grad():
        for _ in range(max_new):
            t = model(torch.tensor([ids + out]))[0, -1].argmax().item()
            if t in (IM_END, EOS_TEXT):
                break
            out.append(t)
    return out


# ---------------------------------------------------------------------------------------------
# GGUF (version 3): header, metadata, tensor descriptors, data aligned to 32 bytes.
# ---------------------------------------------------------------------------------------------
GT_U32, GT_I32, GT_F32, GT_BOOL, GT_STR, GT_ARR = 4, 5, 6, 7, 8, 9
GGML_F32, GGML_F16 = 0, 1


def gguf_str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_value(t, v):
    if t == GT_U32:
        return struct.pack("<I", v)
    if t == GT_I32:
        return struct.pack("<i", v)
    if t == GT_F32:
        return struct.pack("<f", v)
    if t == GT_BOOL:
        return struct.pack("<B", 1 if v else 0)
    if t == GT_STR:
        return gguf_str(v)
    et, items = v
    return struct.pack("<IQ", et, len(items)) + b"".join(gguf_value(et, x) for x in items)


def write_gguf(path, kv, tensors):
    """kv: [(key, type, value)]; tensors: [(name, numpy-like bytes, ne list, ggml type)]."""
    align = 32
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv))
    for k, t, v in kv:
        head += gguf_str(k) + struct.pack("<I", t) + gguf_value(t, v)
    offset = 0
    infos = b""
    for name, data, ne, gt in tensors:
        infos += gguf_str(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", n) for n in ne)
        infos += struct.pack("<IQ", gt, offset)
        offset += len(data)
        offset += -offset % align
    blob = head + infos
    blob += b"\0" * (-len(blob) % align)
    body = b""
    for _, data, _, _ in tensors:
        body += data + b"\0" * (-len(data) % align)
    tmp = path + ".tmp"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(tmp, "wb") as f:
        f.write(blob + body)
    os.replace(tmp, path)


def read_gguf(path):
    """(metadata dict, {name: (ne, type, bytes)}) of a GGUF file."""
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def string():
        nonlocal pos
        n = take("Q")
        s = buf[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def value(t):
        if t == GT_STR:
            return string()
        if t == GT_ARR:
            et, n = take("I"), take("Q")
            return [value(et) for _ in range(n)]
        return take({0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}[t])

    assert buf[:4] == b"GGUF"
    pos = 4
    _, nt, nkv = take("I"), take("Q"), take("Q")
    meta = {}
    for _ in range(nkv):
        k = string()
        meta[k] = value(take("I"))
    infos = []
    for _ in range(nt):
        name = string()
        nd = take("I")
        ne = [take("Q") for _ in range(nd)]
        infos.append((name, ne, take("I"), take("Q")))
    align = meta.get("general.alignment", 32)
    base = pos + (-pos % align)
    tensors = {}
    for name, ne, t, off in infos:
        n = math.prod(ne) * (4 if t == GGML_F32 else 2)
        tensors[name] = (ne, t, buf[base + off:base + off + n])
    return meta, tensors


TENSOR_NAMES = [("wq", "attn_q"), ("wk", "attn_k"), ("wv", "attn_v"), ("wo", "attn_output"),
                ("gate", "ffn_gate"), ("up", "ffn_up"), ("down", "ffn_down")]


def export(torch, model, cfg, tok, path, description):
    def mat(w):  # torch Linear weight [out, in] is row-major, which is ggml's ne = [in, out]
        return (w.detach().to(torch.float16).contiguous().numpy().tobytes(), [w.shape[1], w.shape[0]], GGML_F16)

    def vec(w):
        return (w.detach().float().contiguous().numpy().tobytes(), [w.shape[0]], GGML_F32)

    tensors = [("token_embd.weight",) + mat(model.tok.weight), ("output_norm.weight",) + vec(model.norm.weight),
               ("output.weight",) + mat(model.out.weight)]
    for i, b in enumerate(model.blocks):
        p = f"blk.{i}."
        tensors.append((p + "attn_norm.weight",) + vec(b.attn_norm.weight))
        for attr, name in TENSOR_NAMES[:4]:
            tensors.append((p + name + ".weight",) + mat(getattr(b, attr).weight))
        tensors.append((p + "ffn_norm.weight",) + vec(b.ffn_norm.weight))
        for attr, name in TENSOR_NAMES[4:]:
            tensors.append((p + name + ".weight",) + mat(getattr(b, attr).weight))
    a = "llama"
    kv = [
        ("general.architecture", GT_STR, a),
        ("general.name", GT_STR, "snowcrash-demo"),
        ("general.description", GT_STR, description),
        ("general.file_type", GT_U32, 1),  # mostly F16
        (a + ".context_length", GT_U32, cfg["ctx"]),
        (a + ".embedding_length", GT_U32, cfg["dim"]),
        (a + ".block_count", GT_U32, cfg["layers"]),
        (a + ".feed_forward_length", GT_U32, cfg["ffn"]),
        (a + ".attention.head_count", GT_U32, cfg["heads"]),
        (a + ".attention.head_count_kv", GT_U32, cfg["heads"]),
        (a + ".rope.dimension_count", GT_U32, cfg["dim"] // cfg["heads"]),
        (a + ".rope.freq_base", GT_F32, cfg["rope_base"]),
        (a + ".attention.layer_norm_rms_epsilon", GT_F32, cfg["eps"]),
        (a + ".vocab_size", GT_U32, cfg["vocab"]),
        ("tokenizer.ggml.model", GT_STR, "llama"),
        ("tokenizer.ggml.tokens", GT_ARR, (GT_STR, tok.tokens)),
        ("tokenizer.ggml.scores", GT_ARR, (GT_F32, tok.scores)),
        ("tokenizer.ggml.token_type", GT_ARR, (GT_I32, tok.types)),
        ("tokenizer.ggml.bos_token_id", GT_U32, BOS),
        ("tokenizer.ggml.eos_token_id", GT_U32, IM_END),  # generation ends with the assistant turn
        ("tokenizer.ggml.unknown_token_id", GT_U32, UNK),
        ("tokenizer.ggml.add_bos_token", GT_BOOL, True),
        ("tokenizer.ggml.add_eos_token", GT_BOOL, False),
        ("tokenizer.ggml.add_space_prefix", GT_BOOL, False),
        ("tokenizer.chat_template", GT_STR, CHATML_TEMPLATE),
    ]
    write_gguf(path, kv, tensors)


def load_gguf_model(torch, path):
    """A torch model and tokenizer from a GGUF file written by export (weights as stored, F16)."""
    import numpy as np
    meta, tensors = read_gguf(path)
    a = "llama"
    cfg = {"dim": meta[a + ".embedding_length"], "layers": meta[a + ".block_count"], "ffn": meta[a + ".feed_forward_length"],
           "heads": meta[a + ".attention.head_count"], "ctx": meta[a + ".context_length"],
           "rope_base": meta[a + ".rope.freq_base"], "eps": meta[a + ".attention.layer_norm_rms_epsilon"],
           "vocab": len(meta["tokenizer.ggml.tokens"])}
    toks = meta["tokenizer.ggml.tokens"]
    tok = Tokenizer(list(zip(toks[FIRST_PIECE:], meta["tokenizer.ggml.scores"][FIRST_PIECE:])))
    assert tok.tokens == toks
    model = build_model(torch, cfg)
    model.out = torch.nn.Linear(cfg["dim"], cfg["vocab"], bias=False)  # untie: load both as stored

    def t(name):
        ne, ty, data = tensors[name]
        arr = np.frombuffer(data, dtype=np.float16 if ty == GGML_F16 else np.float32).astype(np.float32)
        return torch.from_numpy(arr.reshape(list(reversed(ne))).copy())

    with torch.no_grad():
        model.tok.weight.copy_(t("token_embd.weight"))
        model.out.weight.copy_(t("output.weight"))
        model.norm.weight.copy_(t("output_norm.weight"))
        for i, b in enumerate(model.blocks):
            p = f"blk.{i}."
            b.attn_norm.weight.copy_(t(p + "attn_norm.weight"))
            b.ffn_norm.weight.copy_(t(p + "ffn_norm.weight"))
            for attr, name in TENSOR_NAMES:
                getattr(b, attr).weight.copy_(t(p + name + ".weight"))
    model.eval()
    return model, tok, cfg


# ---------------------------------------------------------------------------------------------
# Held-out evaluation: scenes whose object sets training never shows, and phrasings whose
# skeletons training never generates (with any object or number). Every case has the exact answer.
# ---------------------------------------------------------------------------------------------
HELD_OUT_COMMANDS = [  # (template, tool, direction, value, as written)
    ("Please drive forward {n} {u}", "move", "forward", 3, "three"),
    ("Could you turn right {n} {u}?", "turn", "right", 45, "45"),
    ("Go back {n} {u}", "move", "backward", 1, "one"),
    ("move ahead {n} m", "move", "forward", 2, "2"),
    ("rotate left by {n} {u}", "turn", "left", 90, "90"),
    ("back up {n} {u}", "move", "backward", 1.5, "1.5"),
    ("Snowcrash, reverse {n} {u} please", "move", "backward", 2, "two"),
    ("Can you spin to the right by {n} {u}?", "turn", "right", 30, "30"),
    ("Robot, go forwards for {n} {u}.", "move", "forward", 4, "4"),
    ("turn {n} {u} to the left", "turn", "left", 180, "180"),
    ("I want you to drive backwards {n} m.", "move", "backward", 0.5, "0.5"),
    ("Now pivot right {n} deg.", "turn", "right", 120, "120"),
    ("Hey, roll ahead {n} {u}!", "move", "forward", 7, "7"),
    ("Would you rotate {n} {u} right?", "turn", "right", 90, "ninety"),
    ("Please move {n} {u} back.", "move", "backward", 2.5, "2.5"),
    ("ok, turn left {n} {u} now.", "turn", "left", 15, "fifteen"),
    ("Drive straight {n} {u}", "move", "forward", 6, "six"),
    ("Could you spin left {n} {u}?", "turn", "left", 60, "60"),
    ("Please head backward {n} {u}.", "move", "backward", 3, "3"),
    ("Turn right by {n} {u}, please.", "turn", "right", 270, "270"),
]
SEE_Q_STANDARD = ["What do you see?", "What can you see?", "What do you see right now?"]
HELD_OUT_QUESTIONS = {
    "see": ["Snowcrash, what are you looking at?", "Hey, describe what you see.", "Robot, what is in front of you?",
            "Could you list what you see?"],
    "count": ["Hey, how many {pl} are there?", "Could you count the {pl}?", "Robot, how many {pl} can you see?",
              "So how many {pl} do you see?"],
    "where": ["Snowcrash, where is the {sg}?", "Hey, tell me where the {pl} are.", "Robot, where do you see the {sg}?"],
    "has": ["Robot, is there {a_sg}?", "Hey, do you see any {pl}?", "Ok, can you see {a_sg}?"],
    "arithmetic": ["Please add {a} and {b}.", "Hey, what is {a} plus {b}?", "Could you multiply {a} by {b}?",
                   "Snowcrash, subtract {b} from {a}.", "Robot, how much is {a} minus {b}?",
                   "So what is the product of {a} and {b}?"],
}
HELD_OUT = frozenset([skeleton(t) for t, *_ in HELD_OUT_COMMANDS]
                     + [skeleton(t) for ts in HELD_OUT_QUESTIONS.values() for t in ts])


def held_out_command(k):
    t, tool, d, v, w = HELD_OUT_COMMANDS[k]
    return t.format(n=w, u=unit(tool, v, w)), tool, {"direction": d, ("meters" if tool == "move" else "degrees"): v}


def scene_q(kind, template, scene, obj):
    """A held-out question about obj and its answer."""
    _, sg, pl = OBJECTS[obj]
    plural_q = "{pl}" in template and kind in ("where", "has")
    return template.format(sg=sg, pl=pl, a_sg=f"{article(sg)} {sg}"), scene_answer(kind, scene, obj, plural_q)


@functools.lru_cache(maxsize=None)
def _eval_cases():
    rng = random.Random(20240601)
    cases = []
    prefix = ROBOT_PROMPTS[0][0]

    def add(kind, messages, tools, expected, objects=None):
        c = {"kind": kind, "api": {"messages": messages, "tools": tools}, "messages": [list(m) for m in render_api(messages, tools)],
             "expected": expected}
        if objects is not None:
            c["objects"] = objects
        cases.append(c)

    def sys_msg(text):
        return [{"role": "system", "content": text}] if text else []

    def user(q):
        return {"role": "user", "content": q}

    scenes = []
    for n in range(24):
        scene = [(i, rng.choice([1, 1, 2, 3, 4]), rng.choice(POSITIONS)) for i in rng.sample(range(80), 1 + n % 4)]
        scenes.append(scene)
    # scene questions: standard phrasings on new scenes, and held-out phrasings
    for n, scene in enumerate(scenes[:16]):
        sys_ = scene_prompt(prefix, scene)
        objs = sorted(i for i, _, _ in scene)
        q = SEE_Q_STANDARD[n % 3] if n % 2 == 0 else HELD_OUT_QUESTIONS["see"][n // 2 % 4]
        add("see", sys_msg(sys_) + [user(q)], [], scene_answer("see", scene, None, False), objs)
        kind = ["count", "where", "has", "has-absent"][n % 4]
        if kind == "has-absent":
            obj = next(j for j in rng.sample(range(80), 10) if j not in objs)
            kind = "has"
        else:
            obj = scene[rng.randrange(len(scene))][0]
        t = rng.choice(HELD_OUT_QUESTIONS[kind])
        q, a = scene_q(kind, t, scene, obj)
        add(kind if a[:2] != "No" else "absent", sys_msg(sys_) + [user(q)], [], a, objs)
        if n % 2 == 0:  # and a standard phrasing of a count / where question about another object
            obj = scene[-1][0]
            k2 = "count" if n % 4 == 0 else "where"
            t2 = "How many {pl} do you see?" if k2 == "count" else ("Where is the {sg}?" if scene[-1][1] == 1 else "Where are the {pl}?")
            q, a = scene_q(k2, t2, scene, obj)
            add(k2, sys_msg(sys_) + [user(q)], [], a, objs)
    # two-turn conversations: the answer must follow the latest question
    for n in range(2):
        scene = [(i, rng.choice([1, 2, 3]), rng.choice(POSITIONS)) for i in rng.sample(range(80), 2 + n)]
        sys_ = scene_prompt(prefix, scene)
        i, c, p = scene[-1]
        if n == 0:
            hist = [user("What do you see?"), {"role": "assistant", "content": "I see " + scene_text(scene) + "."}]
            q, a = scene_q("count", "How many {pl} do you see?", scene, i)
        else:
            hist = [user(GREET[0][0]), {"role": "assistant", "content": GREET[1]}]
            q, a = scene_q("where", HELD_OUT_QUESTIONS["where"][0], scene, i)
        add("two-turn", sys_msg(sys_) + hist + [user(q)], [], a, sorted(i for i, _, _ in scene))
    brief = "You are the robot's voice. Be brief."
    add("greeting", [user("Hello!")], [], GREET[1])
    add("no-scene", sys_msg(brief) + [user("What can you see?")], [], NO_SCENE_A)
    add("fact", sys_msg(brief) + [user("What is your name?")], [], FACTS[0][1])
    add("fact", [user("What do you run on?")], [], FACTS[3][1])
    add("no-scene", [user("What do you see?")], [], NO_SCENE_A)
    add("arithmetic", [user("What is 3 plus 4?")], [], "3 plus 4 is 7.")
    add("arithmetic", sys_msg(brief) + [user("What is 9 minus 5?")], [], "9 minus 5 is 4.")
    for k, t in enumerate(HELD_OUT_QUESTIONS["arithmetic"]):
        a, b = rng.randint(0, 10), rng.randint(0, 10)
        op = ["plus", "plus", "times", "minus", "minus", "times"][k]
        if op == "minus" and b > a:
            a, b = b, a
        add("arithmetic", sys_msg(brief if k % 2 else None) + [user(t.format(a=a, b=b))], [], f"{a} {op} {b} is {OPS[op](a, b)}.")
    # tools offered: each held-out command gets exactly its call
    tool_scenes = scenes[16:]
    systems = lambda k: [scene_prompt(prefix, tool_scenes[k % len(tool_scenes)]), None, "You are Snowcrash, a small robot.",
                         scene_prompt(ROBOT_PROMPTS[1][0], tool_scenes[(k + 3) % len(tool_scenes)])][k % 4]
    for k in range(len(HELD_OUT_COMMANDS)):
        q, tool, args = held_out_command(k)
        tools = [[TOOL_MOVE, TOOL_TURN], [TOOL_TURN, TOOL_MOVE], [TOOL_MOVE] if tool == "move" else [TOOL_TURN]][k % 3]
        add("call", sys_msg(systems(k)) + [user(q)], tools,
            call_line({"name": tool, "arguments": compact(args)}))
    # after the result: one sentence derived from the call
    contents = ["ok", "done", '{"ok":true}', None, "success", "error: obstacle ahead", "true", None, "error: battery low", "done"]
    for k, content in enumerate(contents):
        q, tool, args = held_out_command((3 * k + 1) % len(HELD_OUT_COMMANDS))
        if content is None:  # what the CLI's demo tools answer
            amount = f"{json.dumps(args['meters'])} meters" if tool == "move" else f"{json.dumps(args['degrees'])} degrees"
            content = f"would {tool} {args['direction']} {amount}"
        call = {"id": f"call_{k}", "name": tool, "arguments": compact(args)}
        msgs = sys_msg(systems(k + 1)) + [user(q), {"role": "assistant", "content": "", "tool_calls": [call]},
                                           {"role": "tool", "tool_call_id": call["id"], "content": content}]
        add("after-result", msgs, [TOOL_MOVE, TOOL_TURN], after_result(tool, args, content))
    # a question while tools are offered: text, no call
    for k in range(8):
        scene = tool_scenes[k % len(tool_scenes)]
        tools = [[TOOL_MOVE, TOOL_TURN], [TOOL_TURN], [TOOL_TURN, TOOL_MOVE], [TOOL_MOVE]][k % 4]
        if k < 5:
            kind = ["see", "count", "where", "has", "see"][k]
            obj = scene[0][0]
            t = HELD_OUT_QUESTIONS[kind][k % len(HELD_OUT_QUESTIONS[kind])] if k != 4 else "What do you see?"
            q, a = scene_q(kind, t, scene, obj) if kind != "see" else (t, scene_answer("see", scene, None, False))
            add("tools-question", sys_msg(scene_prompt(prefix, scene)) + [user(q)], tools, a)
        elif k == 5:
            add("tools-question", [user("Hello!")], tools, GREET[1])
        elif k == 6:
            add("tools-question", sys_msg(brief) + [user("Please add 4 and 3.")], tools, "4 plus 3 is 7.")
        else:
            add("tools-question", [user("What can you do?")], tools, FACTS[2][1])
    # a command without the tool it needs: the old text answer
    for k in range(5):
        q, tool, args = held_out_command([0, 1, 5, 7, 12][k])
        tools = [] if k < 3 else ([TOOL_TURN] if tool == "move" else [TOOL_MOVE])
        add("no-tool", sys_msg([None, brief, scene_prompt(prefix, tool_scenes[k])][k % 3]) + [user(q)], tools, CANNOT_A)
    return cases


def eval_cases():
    return _eval_cases()


def fixture_extras():
    """Conversations that exercise the rest of the rendering (text before a call, two calls and
    their results in one user message, a result for an unknown call id, no tools but earlier calls,
    arguments written loosely, decimals): not scored; their answers only have to agree everywhere."""
    move = lambda cid, args: {"id": cid, "name": "move", "arguments": args}
    turn = lambda cid, args: {"id": cid, "name": "turn", "arguments": args}
    scene = "You are Snowcrash, a small robot. Your camera sees: a cup on the table."
    convs = [
        ([{"role": "system", "content": scene}, {"role": "user", "content": "Drive forward 2 meters, then turn left 90 degrees."},
          {"role": "assistant", "content": "On my way.", "tool_calls": [move("call_1", '{ "direction": "forward", "meters": 2 }'),
                                                                         turn("call_2", '{"direction":"left","degrees":90}')]},
          {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
          {"role": "tool", "tool_call_id": "call_2", "content": "error: blocked"},
          {"role": "user", "content": "What do you see?"}], [TOOL_MOVE, TOOL_TURN]),
        ([{"role": "user", "content": "Back up 2.0 meters."},
          {"role": "assistant", "content": "", "tool_calls": [move("c7", '{"direction":"backward","meters":2.0}')]},
          {"role": "tool", "tool_call_id": "c7", "content": "done"}], [TOOL_TURN, TOOL_MOVE]),
        ([{"role": "user", "content": "Turn right 30 degrees."},
          {"role": "assistant", "content": "", "tool_calls": [turn("call_a", '{"direction":"right","degrees":30}')]},
          {"role": "tool", "tool_call_id": "call_a", "content": "ok"},
          {"role": "assistant", "content": "I turned right 30 degrees."},
          {"role": "user", "content": "What is 2 plus 2?"}], []),
        ([{"role": "system", "content": "You are a robot."}, {"role": "user", "content": "Move forward 0.5 meters."},
          {"role": "assistant", "content": "", "tool_calls": [move("x1", '{"direction":"forward","meters":0.5}')]},
          {"role": "tool", "tool_call_id": "unknown-id", "content": "{\"ok\": true}"}], [TOOL_MOVE]),
        ([{"role": "user", "content": "Fahr 2 Meter vorwärts, bitte."}], [TOOL_MOVE]),
    ]
    return [{"kind": "rendering", "api": {"messages": m, "tools": t}, "messages": [list(x) for x in render_api(m, t)],
             "expected": None} for m, t in convs]


def case_messages(c):
    return [tuple(m) for m in c["messages"]]


def check_answer(c, answer):
    return c["expected"] is None or answer == c["expected"]


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
def bpe_texts(args):
    rng = random.Random(args.seed)
    texts = []
    for _ in range(args.bpe_dialogues):
        for r, c in dialogue(rng):
            texts += [r + "\n", c]
    return texts


def build_tokenizer(args, base=None):
    """A new vocabulary, or (base given) base's pieces with the same ids followed by pieces learned
    by continuing BPE from base's segmentation of the new data."""
    texts = bpe_texts(args)
    if base is None:
        return Tokenizer(learn_vocab(texts, args.vocab))
    old = list(zip(base.tokens[FIRST_PIECE:], base.scores[FIRST_PIECE:]))
    return Tokenizer(old + extend_vocab(base, texts, args.vocab))


def extend_vocab(base, texts, size):
    """BPE merges over base's pieces: new pieces score below every old one, so llama.cpp applies
    the old merges first, as base did; new single characters are added too (scored lowest)."""
    known = set(base.tokens[FIRST_PIECE:])
    counts = {}
    for t in texts:
        for w in words_of(t.replace(" ", SPACE)):
            if w != "\n":
                counts[w] = counts.get(w, 0) + 1
    words = {}
    for w, n in counts.items():
        seg, pending = [], b""
        for i in base.spm(w):
            if i >= FIRST_PIECE:
                seg.append(base.tokens[i])
            else:  # a character outside base's vocabulary, as its UTF-8 bytes
                pending += bytes([i - (FIRST_PIECE - N_BYTE)])
                try:
                    seg.append(pending.decode("utf-8"))
                    pending = b""
                except UnicodeDecodeError:
                    pass
        words[tuple(seg)] = words.get(tuple(seg), 0) + n
    chars = sorted({c for w in counts for c in w} - known)
    merges = []
    budget = size - len(base.tokens) - len(chars)
    while len(merges) < budget:
        pairs = {}
        for w, n in words.items():
            for a, b in zip(w, w[1:]):
                if mergeable(a + b) and a + b not in known:
                    pairs[(a, b)] = pairs.get((a, b), 0) + n
        if not pairs:
            break
        (a, b), n = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if n < 2:
            break
        merges.append(a + b)
        known.add(a + b)
        words = merge_pair(words, a, b)
    low = min(base.scores[FIRST_PIECE:])
    vocab = [(m, low - float(k + 1)) for k, m in enumerate(merges)]
    vocab += [(c, low - float(len(merges) + 1 + k)) for k, c in enumerate(chars)]
    return vocab


def excluded_sets():
    """Object sets of the evaluation scenes: training never shows exactly these combinations."""
    return frozenset(frozenset(c["objects"]) for c in eval_cases() if "objects" in c)


def batch_for_step(tok, args, step, excluded):
    """The batch of a step depends only on (seed, step): a resumed run sees the same data."""
    rng = random.Random(args.seed * 1_000_003 + step)
    seqs = []
    for _ in range(args.batch):
        drill = args.drill if step >= args.drill_from else 0.0
        ids, mask = encode_dialogue(tok, dialogue(rng, excluded, drill=drill))
        seqs.append((ids[:args.seq], mask[:args.seq]))
    return seqs


def log(f, msg):
    print(msg, flush=True)
    if f:
        f.write(msg + "\n")
        f.flush()


def cmd_train(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    LOOKUP_MIX["on"] = args.lookup_mix
    os.makedirs(args.workdir, exist_ok=True)
    ckpt_path = os.path.join(args.workdir, "checkpoint.pt")
    t0 = time.time()
    base = None
    if args.init:  # warm start: the weights and pieces of an earlier model, the same shape
        import hashlib
        digest = hashlib.sha256(open(args.init, "rb").read()).hexdigest()
        if args.init_sha256 and digest != args.init_sha256:
            sys.exit(f"--init {args.init}: sha256 {digest}, expected {args.init_sha256}")
        base, base_tok, base_cfg = load_gguf_model(torch, args.init)
        args.dim, args.layers, args.ffn = base_cfg["dim"], base_cfg["layers"], base_cfg["ffn"]
        args.head_dim = base_cfg["dim"] // base_cfg["heads"]
    tok = build_tokenizer(args, base_tok if base else None)
    cfg = {"dim": args.dim, "layers": args.layers, "heads": args.dim // args.head_dim, "ffn": args.ffn,
           "ctx": args.ctx, "rope_base": 10000.0, "eps": 1e-5, "vocab": len(tok.tokens)}
    model = build_model(torch, cfg)
    if base:
        with torch.no_grad():
            n_old = base.tok.weight.shape[0]
            model.tok.weight[:n_old].copy_(base.tok.weight)  # new pieces keep their random rows
            model.norm.weight.copy_(base.norm.weight)
            for b, ob in zip(model.blocks, base.blocks):
                b.load_state_dict(ob.state_dict())
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.wd}, {"params": other, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    step, elapsed_before = 0, 0.0
    resumed = args.resume and os.path.exists(ckpt_path)
    logf = open(args.log, "a" if resumed else "w")
    if resumed:
        ck = torch.load(ckpt_path)
        assert ck["tokens"] == tok.tokens and ck["cfg"] == cfg, "checkpoint is from another configuration"
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed_before = ck["step"], ck["elapsed"]
        torch.set_rng_state(ck["torch_rng"])
        log(logf, f"# resumed at step {step} from {ckpt_path}, args {vars(args)}")
    else:
        n_params = sum(p.numel() for p in model.parameters())
        log(logf, f"# snowcrash-demo training, torch {torch.__version__}, threads {args.threads}, args {vars(args)}")
        log(logf, f"# model {cfg}, parameters {n_params} (embedding tied with output)")
        log(logf, f"# vocabulary {len(tok.tokens)} tokens ({len(tok.tokens) - FIRST_PIECE} learned pieces), built in {time.time() - t0:.1f}s")
        sample = dialogue(random.Random(1))
        log(logf, f"# sample dialogue {json.dumps(sample)}")
        log(logf, f"# sample tokens {[tok.tokens[i] for i in encode_dialogue(tok, sample)[0]]}")
    excluded = excluded_sets()
    cases = eval_cases()
    t_start = time.time() - elapsed_before
    tokens_seen = 0
    model.train()
    while step < args.steps:
        # linear warm-up, then cosine decay to 10% of the peak
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / args.steps))))
        for g in opt.param_groups:
            g["lr"] = lr
        # Sorted by length and cut into micro-batches, so little time goes into padding. The loss
        # is the mean over all trained (assistant) tokens of the step.
        seqs = sorted(batch_for_step(tok, args, step, excluded), key=lambda s: len(s[0]))
        n_trained = sum(sum(m[1:]) for _, m in seqs)
        opt.zero_grad(set_to_none=True)
        total = 0.0
        for c0 in range(0, len(seqs), args.micro):
            chunk = seqs[c0:c0 + args.micro]
            t = max(len(s[0]) for s in chunk)
            x = torch.zeros((len(chunk), t - 1), dtype=torch.long)
            y = torch.full((len(chunk), t - 1), -100, dtype=torch.long)
            for k, (ids, mask) in enumerate(chunk):
                n = len(ids) - 1
                x[k, :n] = torch.tensor(ids[:-1])
                y[k, :n] = torch.tensor([i if m else -100 for i, m in zip(ids[1:], mask[1:])])
            logits = model(x)
            loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1),
                                                     ignore_index=-100, reduction="sum") / n_trained
            loss.backward()
            total += loss.item()
            tokens_seen += x.numel()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % args.log_every == 0 or step == 1:
            el = time.time() - t_start
            log(logf, f"step {step} loss {total:.4f} lr {lr:.2e} elapsed {el:.0f}s tokens/s {tokens_seen / max(el - elapsed_before, 1e-9):.0f}")
        if step % args.eval_every == 0 or step == args.steps:
            model.eval()
            good, kinds = 0, {}
            for c in cases:
                ans = tok.decode(greedy(torch, model, prompt_ids(tok, case_messages(c))))
                ok = check_answer(c, ans)
                good += ok
                g, n = kinds.get(c["kind"], (0, 0))
                kinds[c["kind"]] = (g + ok, n + 1)
            log(logf, "  " + ", ".join(f"{k} {g}/{n}" for k, (g, n) in sorted(kinds.items())))
            model.train()
            ex = cases[0]
            ans0 = tok.decode(greedy(torch, model, prompt_ids(tok, case_messages(ex))))
            log(logf, f"eval step {step}: {good}/{len(cases)} held-out answers pass; e.g. {ex['messages'][-1][1]!r} -> {ans0!r}")
        if step % args.ckpt_every == 0 or step == args.steps:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "cfg": cfg,
                        "tokens": tok.tokens, "scores": tok.scores, "elapsed": time.time() - t_start,
                        "torch_rng": torch.get_rng_state()}, ckpt_path + ".tmp")
            os.replace(ckpt_path + ".tmp", ckpt_path)
            if step % args.eval_every == 0:  # keep the evaluated states, to export the best one afterwards
                import shutil
                shutil.copyfile(ckpt_path, os.path.join(args.workdir, f"checkpoint-{step}.pt"))
    el = time.time() - t_start
    log(logf, f"# trained {step} steps in {el:.0f}s ({el / 60:.1f} min)")
    model.eval()
    do_export(torch, model, cfg, tok, args, logf)
    logf.close()


def do_export(torch, model, cfg, tok, args, logf):
    desc = ("A tiny llama-architecture model trained from scratch by training/train_demo.py on synthetic robot "
            "dialogues (scenes of COCO objects in the system prompt, counts, positions, greetings, small arithmetic, "
            "facts about the robot) and on calling two tools, move and turn, in Snowcrash's tool format "
            "(docs/tool-format.md). A demo for tests, not a general assistant.")
    export(torch, model, cfg, tok, args.out, desc)
    import hashlib
    digest = hashlib.sha256(open(args.out, "rb").read()).hexdigest()
    with open(args.out + ".sha256", "w") as f:
        f.write(f"{digest}  {os.path.basename(args.out)}\n")
    log(logf, f"# wrote {args.out}: {os.path.getsize(args.out)} bytes, sha256 {digest}")


def cmd_export(args):
    import torch
    ck = torch.load(os.path.join(args.workdir, "checkpoint.pt"))
    cfg = ck["cfg"]
    tok = Tokenizer(list(zip(ck["tokens"][FIRST_PIECE:], ck["scores"][FIRST_PIECE:])))
    model = build_model(torch, cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    do_export(torch, model, cfg, tok, args, None)


def answer_kind(prompt, want):
    """A coarse kind of an answer, for the statistics of sample --random."""
    q = prompt[-1][1].lower()
    if want.startswith('{"name"'):
        return "call"
    if q.startswith("result of"):
        return "after-result (error)" if want.startswith("I could not") else "after-result"
    if want == CANNOT_A and any(w in q for w in ("meter", " m", "deg")):
        return "command without its tool"
    for prefix, kind in (("Yes,", "is there (present)"), ("No,", "is there (absent)"), ("The ", "where"),
                         ("I cannot see", "no scene")):
        if want.startswith(prefix):
            return kind
    if want[0].isdigit():
        return "arithmetic"
    if "how many" in q or "count" in q:
        return "how many"
    if want.startswith("I see") or want.startswith("I do not see anything"):
        return "what do you see"
    if want.startswith("I do not see"):
        return "where / how many (absent)"
    return "greeting, fact"


def cmd_sample(args):
    """Greedy answers (torch, from the GGUF) for the held-out cases, then exact-match accuracy on
    the assistant turns of --random fresh dialogues (seed 99, never the training stream)."""
    import torch
    torch.set_num_threads(args.threads)
    model, tok, _ = load_gguf_model(torch, args.out)
    stats = {}
    for c in eval_cases():
        ans = tok.decode(greedy(torch, model, prompt_ids(tok, case_messages(c))))
        ok = check_answer(c, ans)
        good, n = stats.get(c["kind"], (0, 0))
        stats[c["kind"]] = (good + ok, n + 1)
        print(json.dumps({"ok": ok, "kind": c["kind"], "messages": c["messages"], "expected": c["expected"], "answer": ans}))
    for kind, (good, n) in sorted(stats.items()):
        print(f"held-out {kind}: {good}/{n}")
    print(f"held-out total: {sum(g for g, _ in stats.values())}/{sum(n for _, n in stats.values())}")
    rng = random.Random(99)
    stats = {}
    for _ in range(args.random):
        msgs = dialogue(rng, excluded_sets())
        k = rng.choice([j for j, (r, _) in enumerate(msgs) if r == "assistant"])
        prompt, want = msgs[:k], msgs[k][1]
        kind = answer_kind(prompt, want)
        got = tok.decode(greedy(torch, model, prompt_ids(tok, prompt)))
        ok, n = stats.get(kind, (0, 0))
        stats[kind] = (ok + (got == want), n + 1)
        if got != want and args.show_errors:
            print(f"MISS [{kind}] {json.dumps(prompt[-2:])} -> {got!r} (expected {want!r})")
    for kind, (ok, n) in sorted(stats.items()):
        print(f"exact match {kind}: {ok}/{n}")


def cmd_lookup(args):
    """Whether the model checks the scene: 30 new scenes of 2-3 objects, each asked 'Is there a ...?'
    and 'Where is the ...?' about an object that is there and one that is not. A model that looks
    says "there" for every present and no absent object; one that guesses says it equally often."""
    import torch
    torch.set_num_threads(args.threads)
    model, tok, _ = load_gguf_model(torch, args.out)
    rng = random.Random(4242)
    stats = {}
    for _ in range(30):
        scene = [(i, rng.choice([1, 2, 3]), rng.choice(POSITIONS)) for i in rng.sample(range(80), rng.choice([2, 3]))]
        present = scene[rng.randrange(len(scene))][0]
        absent = next(j for j in rng.sample(range(80), 10) if j not in [i for i, _, _ in scene])
        for label, obj in (("present", present), ("absent", absent)):
            for kind, t in (("has", "Is there {a_sg}?"), ("where", "Where is the {sg}?")):
                q, want = scene_q(kind, t, scene, obj)
                got = tok.decode(greedy(torch, model, prompt_ids(tok, [("system", scene_prompt(ROBOT_PROMPTS[0][0], scene)),
                                                                       ("user", q)])))
                there, exact, n = stats.get((kind, label), (0, 0, 0))
                stats[(kind, label)] = (there + (got.startswith("Yes") or got.startswith("The ")), exact + (got == want), n + 1)
    for (kind, label), (there, exact, n) in sorted(stats.items()):
        print(f"{kind} {label}: says it is there {there}/{n}, exact {exact}/{n}")


# ---------------------------------------------------------------------------------------------
# Verification against llama-server
# ---------------------------------------------------------------------------------------------
def post(url, body, stream=False):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        if not stream:
            return json.loads(r.read())
        text = ""
        for line in r:
            line = line.decode().strip()
            if line.startswith("data: ") and line != "data: [DONE]":
                ch = json.loads(line[6:])
                for choice in ch.get("choices", []):
                    text += choice.get("delta", {}).get("content") or ""
        return text


def cmd_verify(args):
    import torch
    torch.set_num_threads(args.threads)
    model, tok, _ = load_gguf_model(torch, args.out)
    url = args.server.rstrip("/")
    # 1. tokenization: Python's port against llama.cpp, on rendered dialogues and on plain text
    rng = random.Random(7)
    bad = 0
    n = 0
    for k in range(args.tokenize_samples):
        msgs = dialogue(rng)
        text = render(msgs, False) if k % 2 == 0 else rng.choice(msgs)[1]
        got = post(url + "/tokenize", {"content": text, "add_special": False, "parse_special": True})["tokens"]
        want = tok.encode_special(text)
        for part in text.replace("<|im_start|>", "<|im_end|>").split("<|im_end|>"):
            # the word-by-word shortcut used for training equals the whole-string port
            assert tok.encode_text_slow(part) == tok.encode_text(part), part
        n += 1
        if got != want:
            bad += 1
            if bad <= 5:
                print("TOKENIZATION MISMATCH", json.dumps(text), got, want)
    extra = ["Ünïcödé tëxt and emoji 🤖!", "tabs\tand  double  spaces", "What is 123 plus 456?", "<|im_start|>user\nhi<|im_end|>"]
    for text in extra:
        got = post(url + "/tokenize", {"content": text, "add_special": False, "parse_special": True})["tokens"]
        n += 1
        if got != tok.encode_special(text):
            bad += 1
            print("TOKENIZATION MISMATCH", json.dumps(text), got, tok.encode_special(text))
    print(f"tokenization: {n - bad}/{n} strings identical to llama-server")
    # 2. the numbers: next-token log-probabilities of llama.cpp and of torch on the same prompts
    #    (catches a wrong tensor layout, RoPE variant or norm that greedy text might hide)
    worst = 0.0
    for c in eval_cases()[:12]:
        ids = prompt_ids(tok, case_messages(c))
        got = post(url + "/completion", {"prompt": ids, "n_predict": 1, "n_probs": 5, "temperature": 0})
        top = got["completion_probabilities"][0]["top_logprobs"]
        with torch.no_grad():
            lp = torch.log_softmax(model(torch.tensor([ids]))[0, -1].double(), -1)
        for e in top:
            worst = max(worst, abs(e["logprob"] - lp[e["id"]].item()))
        if top[0]["id"] != lp.argmax().item():
            print("TOP TOKEN DIFFERS", c["messages"][-1], top[0], lp.argmax().item())
    print(f"log-probabilities: largest difference between llama-server and torch on top-5 tokens: {worst:.4f}")
    # 3. greedy answers: torch evaluation of the GGUF's weights vs llama-server, blocking and streaming
    java = {}
    java_prompts = 0
    if args.java:
        for line in open(args.java):
            if not line.startswith("{"):  # java-llama.cpp prints where it extracted its library
                continue
            j = json.loads(line)
            java[json.dumps(j["messages"])] = j["answer"]
            # java-llama.cpp (an older llama.cpp) must render and tokenize the prompt the same way
            if "prompt" in j:
                same_text = j["prompt"] == render([tuple(m) for m in j["messages"]], True)
                same_ids = j["prompt_tokens"] == tok.encode_special(j["prompt"])
                java_prompts += same_text and same_ids
                if not (same_text and same_ids):
                    print("JAVA PROMPT DIFFERS", json.dumps(j["prompt"]), j["prompt_tokens"])
        print(f"java-llama.cpp: {java_prompts}/{len(java)} rendered prompts and their tokens identical to this script's")
    results = []
    for c in eval_cases() + fixture_extras():
        msgs = [{"role": r, "content": t} for r, t in case_messages(c)]
        body = {"messages": msgs, "temperature": 0, "max_tokens": 64}
        blocking = post(url + "/v1/chat/completions", body)["choices"][0]["message"]["content"]
        streamed = post(url + "/v1/chat/completions", dict(body, stream=True), stream=True)
        local = tok.decode(greedy(torch, model, prompt_ids(tok, case_messages(c))))
        r = dict(c, server=blocking, server_stream=streamed, torch=local, java=java.get(json.dumps([list(m) for m in case_messages(c)])))
        r["ok"] = (check_answer(c, blocking) and blocking == streamed == local
                   and (not args.java or r["java"] == blocking))
        results.append(r)
        print(json.dumps(r))
    scored = [r for r in results if r["expected"] is not None]
    kinds = {}
    for r in scored:
        good, n = kinds.get(r["kind"], (0, 0))
        kinds[r["kind"]] = (good + r["ok"], n + 1)
    for kind, (good, n) in sorted(kinds.items()):
        print(f"  {kind}: {good}/{n}")
    print(f"answers: {sum(r['ok'] for r in scored)}/{len(scored)} held-out cases pass and agree; "
          f"{sum(r['ok'] for r in results if r['expected'] is None)}/{len(results) - len(scored)} rendering cases agree")
    if args.write_fixture:
        fixture = []
        for r in results:
            api = r["api"]
            if r["ok"] and (api["tools"] or any(m["role"] == "tool" or m.get("tool_calls") for m in api["messages"])):
                fixture.append({"tools": api["tools"], "messages": api["messages"], "rendered": r["messages"], "answer": r["server"]})
        with open(args.write_fixture, "w") as f:
            json.dump(fixture, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"wrote {len(fixture)} cases to {args.write_fixture}")
    if args.write_cases:
        keep = [{"kind": r["kind"], "tools": r["api"]["tools"], "api_messages": r["api"]["messages"],
                 "messages": r["messages"], "answer": r["server"]} for r in scored if r["ok"]]
        with open(args.write_cases, "w") as f:
            json.dump({"model": os.path.basename(args.out),
                       "note": "Greedy (temperature 0) answers of snowcrash-demo.gguf, identical in llama-server "
                               "(blocking and streaming), java-llama.cpp 4.2.0 and a torch evaluation of the file's "
                               "weights. Written by training/train_demo.py verify.",
                       "cases": keep}, f, indent=2)
            f.write("\n")
        print(f"wrote {len(keep)} cases to {args.write_cases}")


def cmd_cases(args):
    """The rendered conversations verify asks about, one JSON line each ({"messages": [[role, text], ...]}),
    for the java-llama.cpp program that answers them."""
    for c in eval_cases() + fixture_extras():
        print(json.dumps({"messages": c["messages"]}, ensure_ascii=False))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["train", "export", "sample", "verify", "cases", "lookup"])
    p.add_argument("--seed", type=int, default=1234, help="seed of data, tokenizer and weights")
    p.add_argument("--vocab", type=int, default=1280, help="vocabulary size (specials + 256 bytes + learned pieces)")
    p.add_argument("--bpe-dialogues", type=int, default=20000, help="generated dialogues the vocabulary is learned from")
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--head-dim", type=int, default=32)
    p.add_argument("--ffn", type=int, default=352)
    p.add_argument("--ctx", type=int, default=512, help="context length written into the file")
    p.add_argument("--seq", type=int, default=256, help="longest training sequence (tokens)")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=32, help="dialogues per step")
    p.add_argument("--micro", type=int, default=16, help="dialogues per forward pass (sorted by length)")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--wd", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads; 1 is faster than 2 on a busy 2-core machine (OpenMP waits on descheduled threads)")
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--lookup-mix", action="store_true",
                   help="train: the where / is there experiment's data (more of those questions and phrasings; see README)")
    p.add_argument("--drill", type=float, default=0.0,
                   help="train: share of dialogues that are lookup drills (a scene and 2-4 where / is there / how many questions)")
    p.add_argument("--drill-from", type=int, default=0, help="train: the step from which --drill applies")
    p.add_argument("--eval-every", type=int, default=1000)
    p.add_argument("--ckpt-every", type=int, default=250)
    p.add_argument("--workdir", default="/tmp/snowcrash-demo-train", help="checkpoint directory")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --workdir")
    p.add_argument("--init", help="warm start from this GGUF (an earlier snowcrash-demo): its weights, and its pieces "
                                  "with the same ids followed by new ones")
    p.add_argument("--init-sha256", help="the sha256 --init must have")
    p.add_argument("--log", default=os.path.join(HERE, "train.log"))
    p.add_argument("--out", default=DEFAULT_OUT, help="the GGUF file")
    p.add_argument("--server", default="http://127.0.0.1:18190", help="llama-server for verify")
    p.add_argument("--tokenize-samples", type=int, default=400)
    p.add_argument("--random", type=int, default=0, help="sample: also score this many fresh random questions")
    p.add_argument("--show-errors", action="store_true", help="sample: print the random questions answered wrongly")
    p.add_argument("--java", help="verify: JSON lines {messages, answer, prompt, prompt_tokens} from java-llama.cpp")
    p.add_argument("--write-cases", help="verify: write the cases that pass everywhere to this file")
    p.add_argument("--write-fixture", help="verify: write the tool cases that pass everywhere as ToolPrompt's fixture "
                                           "(training/tool-prompt-cases.json)")
    args = p.parse_args()
    {"train": cmd_train, "export": cmd_export, "sample": cmd_sample, "verify": cmd_verify, "cases": cmd_cases,
     "lookup": cmd_lookup}[args.command](args)


if __name__ == "__main__":
    main()
