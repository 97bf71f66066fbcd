"""Checks of a generated Ray Tune project that need no Ray, for the studio's tests.

usage:
  ray_project_check.py ast MAIN_PY OUT_JSON
      Parses main.py (python's ast, nothing imported or run) and writes what it hands to Ray: the
      PARAM_SPACE entries as {name: {"call": "tune.choice", "args": [...]}} or {"value": v}, the
      scheduler call with its keywords, the TuneConfig/RunConfig keywords, the module constants
      and every module main.py imports.
  ray_project_check.py arch PROJECT_DIR OUT_JSON F1,F2 [F1,F2 ...]
      Imports architecture.py and writes each Classifier(f1, f2)'s state_dict keys and shapes.
  ray_project_check.py models PROJECT_DIR OUT_JSON CONFIG_JSON [CONFIG_JSON ...]
      Builds each config (a JSON object: `model` and its widths) with architecture.py's build_model
      and writes its class name, state_dict keys and shapes, and parameter count.
  ray_project_check.py logits PROJECT_DIR OUT_JSON CHECKPOINT IMAGES [CONFIG_JSON]
      Loads CHECKPOINT's (model_sd, optim_sd) strictly into architecture.py's Classifier (its
      widths read from the checkpoint), or into build_model(CONFIG_JSON) when given, and writes
      the eval logits of IMAGES (raw float32, N x 28 x 28 in 0..1).
"""
import ast
import json
import sys


def literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return {"expr": ast.unparse(node)}


def call_of(node):
    if not isinstance(node, ast.Call):
        return {"value": literal(node)}
    return {
        "call": ast.unparse(node.func),
        "args": [literal(a) if not isinstance(a, ast.Call) else call_of(a) for a in node.args],
        "keywords": {k.arg: (literal(k.value) if not isinstance(k.value, ast.Call) else call_of(k.value)) for k in node.keywords},
    }


def keywords_of_calls(tree, name):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == name:
            return {k.arg: ast.unparse(k.value) for k in node.keywords}
    return None


def check_ast(main_py, out):
    tree = ast.parse(open(main_py).read())
    constants, space, scheduler, imports = {}, {}, None, set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "PARAM_SPACE":
                space = {ast.literal_eval(k): call_of(v) for k, v in zip(node.value.keys, node.value.values)}
            else:
                constants[name] = literal(node.value)
        if isinstance(node, ast.FunctionDef) and node.name == "make_scheduler":
            ret = next(n for n in ast.walk(node) if isinstance(n, ast.Return))
            scheduler = call_of(ret.value)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports.update(a.name for a in node.names)
        if isinstance(node, ast.ImportFrom):
            imports.add(node.module)
    report = {
        "param_space": space,
        "scheduler": scheduler,
        "constants": constants,
        "tuner": keywords_of_calls(tree, "Tuner"),
        "tune_config": keywords_of_calls(tree, "TuneConfig"),
        "run_config": keywords_of_calls(tree, "RunConfig"),
        "checkpoint_config": keywords_of_calls(tree, "CheckpointConfig"),
        "imports": sorted(imports),
    }
    json.dump(report, open(out, "w"), indent=1)


def check_arch(project, out, shapes):
    sys.path.insert(0, project)
    from architecture import Classifier, total_params
    report = []
    for pair in shapes:
        f1, f2 = (int(v) for v in pair.split(","))
        model = Classifier(f1, f2)
        report.append({
            "f1": f1, "f2": f2, "total_params": total_params(model),
            "entries": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        })
    json.dump(report, open(out, "w"))


def check_models(project, out, configs):
    sys.path.insert(0, project)
    from architecture import build_model, total_params
    report = []
    for text in configs:
        model = build_model(json.loads(text))
        report.append({
            "class": type(model).__name__, "total_params": total_params(model),
            "entries": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        })
    json.dump(report, open(out, "w"))


def check_logits(project, out, checkpoint, images_path, config=None):
    sys.path.insert(0, project)
    import torch
    from architecture import Classifier, build_model
    model_sd, optim_sd = torch.load(checkpoint)
    if config is None:
        model = Classifier(model_sd["CL1.weight"].shape[0], model_sd["bneck1.Projection.weight"].shape[0])
    else:
        model = build_model(json.loads(config))
    model.load_state_dict(model_sd, strict=True)
    model.eval()
    pixels = torch.frombuffer(bytearray(open(images_path, "rb").read()), dtype=torch.float32).reshape(-1, 1, 28, 28)
    with torch.no_grad():
        logits = model(pixels).reshape(-1).tolist()
    json.dump({"logits": logits, "optimizer_states": len(optim_sd["state"])}, open(out, "w"))


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "ast":
        check_ast(*rest)
    elif command == "arch":
        check_arch(rest[0], rest[1], rest[2:])
    elif command == "models":
        check_models(rest[0], rest[1], rest[2:])
    elif command == "logits":
        check_logits(*rest)
    else:
        sys.exit(__doc__)
