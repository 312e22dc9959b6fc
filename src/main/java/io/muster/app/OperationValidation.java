package io.muster.app;

import static io.vertx.openapi.validation.ValidationContext.REQUEST;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.analyser.ContentAnalyser;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract's checks of one operation's parameters and body: the checks vertx-openapi's
 * {@code RequestValidator} makes (the same transformations, schemas and errors), with what depends
 * only on the operation done once, when the router is built. {@code RequestValidator} builds a schema
 * validator for each parameter and body of every request (each build copies the contract's whole
 * table of schemas) and runs the checks on a worker, one request at a time per verticle. Here they
 * run on the event loop: parameters are short and a body is at most {@code http.bodyLimitBytes}.
 */
final class OperationValidation {
  private static final RequestExtractor EXTRACTOR = RequestExtractor.withBodyHandler();
  private static final Map<Style, ParameterTransformer> TRANSFORMERS = Map.of(Style.SIMPLE, new SimpleTransformer(),
      Style.LABEL, new LabelTransformer(), Style.MATRIX, new MatrixTransformer(), Style.FORM, new FormTransformer());

  /** A parameter with its transformer (null: a style the contract's validator does not support) and schema. */
  private record Checked(Parameter parameter, ParameterTransformer transformer, Validator schema) { }

  private final Operation operation;
  private final SchemaRepository schemas;
  private final List<Checked> parameters;
  /** The body's schema per media type of the contract (those that have one to check). */
  private final Map<MediaType, Validator> bodies = new IdentityHashMap<>();

  OperationValidation(OpenAPIContract contract, Operation operation) {
    this.operation = operation;
    this.schemas = contract.getSchemaRepository();
    this.parameters = operation.getParameters().stream()
        .map(p -> new Checked(p, TRANSFORMERS.get(p.getStyle()), schemas.validator(p.getSchema()))).toList();
    RequestBody body = operation.getRequestBody();
    if (body != null) {
      body.getContent().values().stream().filter(OperationValidation::hasSchema)
          .forEach(m -> bodies.put(m, schemas.validator(m.getSchema())));
    }
  }

  /** The route's handler: 400 for a request the contract refuses, else the next handler. */
  Handler<RoutingContext> handler() {
    return ctx -> EXTRACTOR.extractValidatableRequest(ctx, operation).onComplete(ar -> {
      try {
        if (ar.failed()) {
          throw ar.cause();
        }
        validate(ar.result());
      } catch (ValidatorException e) {
        ctx.fail(new HttpException(400, e.getMessage(), e));
        return;
      } catch (Throwable t) {
        ctx.fail(t);
        return;
      }
      ctx.next();
    });
  }

  /** Throws what {@code RequestValidator} would fail with. */
  void validate(ValidatableRequest request) {
    for (Checked c : parameters) {
      String name = c.parameter().getName();
      check(c, switch (c.parameter().getIn()) {
        case COOKIE -> request.getCookies().get(name);
        case HEADER -> request.getHeaders().get(name);
        case PATH -> request.getPathParameters().get(name);
        case QUERY -> request.getQuery().get(name);
      });
    }
    checkBody(request);
  }

  private static void check(Checked c, RequestParameter value) {
    Parameter parameter = c.parameter();
    if (value == null || value.isNull()) {
      if (parameter.isRequired()) {
        throw ValidatorException.createMissingRequiredParameter(parameter);
      }
      return;
    }
    if (c.transformer() == null) {
      throw ValidatorException.createUnsupportedValueFormat(parameter);
    }
    Object transformed = c.transformer().transform(parameter, String.valueOf(value.get()));
    OutputUnit result = c.schema().validate(transformed);
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createErrorFromOutputUnitType(parameter, result, e);
    }
  }

  private void checkBody(ValidatableRequest request) {
    RequestBody body = operation.getRequestBody();
    if (body == null) {
      return;
    }
    if (request.getBody() == null || request.getBody().isEmpty()) {
      if (body.isRequired()) {
        throw new ValidatorException("The related request does not contain the required body.",
            ValidatorErrorType.MISSING_REQUIRED_PARAMETER);
      }
      return;
    }
    MediaType mediaType = body.determineContentType(request.getContentType());
    Buffer content = request.getBody().getBuffer(Buffer.buffer());
    ContentAnalyser analyser = mediaType == null ? null
        : ContentAnalyser.getContentAnalyser(mediaType, request.getContentType(), content, REQUEST);
    if (analyser == null) {
      throw new ValidatorException("The format of the " + REQUEST + " body is not supported",
          ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT);
    }
    analyser.checkSyntacticalCorrectness();
    if (!hasSchema(mediaType)) {
      return;
    }
    Validator schema = bodies.get(mediaType);
    OutputUnit result = (schema != null ? schema : schemas.validator(mediaType.getSchema())).validate(analyser.transform());
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createInvalidValueBody(result, REQUEST, e);
    }
  }

  /** Whether a body of this media type is checked against a schema (not so: none, or plain binary). */
  private static boolean hasSchema(MediaType mediaType) {
    JsonSchema schema = mediaType.getSchema();
    if (schema == null) {
      return false;
    }
    boolean onlyTypeAndFormat = schema.fieldNames().size() == 2;
    return !("string".equalsIgnoreCase(schema.get("type")) && "binary".equalsIgnoreCase(schema.get("format"))
        && onlyTypeAndFormat);
  }
}
