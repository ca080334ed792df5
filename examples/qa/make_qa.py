#!/usr/bin/env python3
"""Writes qa.jsonl: a small extractive QA set (who lives where, who works as what), seeded.

Each line is {"input": "<context> <question>", "target": "<answer>"}; answers are spans of the
context, some written with a capital letter or a trailing period, as people type them (EM uses
SQuAD's normalisation, so "Paris." matches "paris").
"""
import json
import random

NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar"]
CITIES = ["paris", "rome", "oslo", "lima", "cairo", "delhi", "tokyo", "quito", "accra", "hanoi"]
JOBS = ["baker", "pilot", "nurse", "judge", "farmer", "tailor", "doctor", "singer"]


def example(rng):
    people = rng.sample(NAMES, 3)
    facts, answers = [], {}
    for person in people:
        city, job = rng.choice(CITIES), rng.choice(JOBS)
        facts.append(f"{person} lives in {city} and works as a {job} .")
        answers[person] = (city, job)
    rng.shuffle(facts)
    who = rng.choice(people)
    if rng.random() < 0.5:
        question, answer = f"where does {who} live ?", answers[who][0]
    else:
        question, answer = f"what does {who} work as ?", f"a {answers[who][1]}"
    if rng.random() < 0.3:
        answer = answer.capitalize() + "."
    return {"input": " ".join(facts) + " " + question, "target": answer}


def main():
    rng = random.Random(14)
    with open("qa.jsonl", "w") as f:
        for _ in range(2000):
            f.write(json.dumps(example(rng)) + "\n")


if __name__ == "__main__":
    main()
