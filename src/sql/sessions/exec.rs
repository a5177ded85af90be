//! `sessions` as a DataFusion table and physical operator: the plumbing around `build`.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result as DfResult, project_schema};
use datafusion::execution::TaskContext;
use datafusion::execution::memory_pool::MemoryConsumer;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::statistics::{StatisticsArgs, StatisticsContext};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, Partitioning,
    PlanProperties, SendableRecordBatchStream,
};
use futures::{StreamExt, TryStreamExt};

use super::INPUT_COLUMNS;
use super::build::Builder;
use super::rules::SPLIT_GAP_MS;

/// `sessions` as a table: scans `flows` (only the columns above) and builds the sessions.
#[derive(Debug)]
pub struct SessionsTable {
    flows: Arc<dyn TableProvider>,
    /// The output schema, taken from the SQL view so both have the same column types.
    schema: SchemaRef,
}

impl SessionsTable {
    /// Sessions over `flows`, with the output `schema` of queries/sessions.sql.
    pub fn new(flows: Arc<dyn TableProvider>, schema: SchemaRef) -> Self {
        SessionsTable { flows, schema }
    }
}

#[async_trait::async_trait]
impl TableProvider for SessionsTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let flows_schema = self.flows.schema();
        let columns = INPUT_COLUMNS
            .iter()
            .map(|c| flows_schema.index_of(c))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let input = self.flows.scan(state, Some(&columns), &[], None).await?;
        Ok(Arc::new(SessionsExec::new(input, Arc::clone(&self.schema), projection.cloned())?))
    }
}

/// The physical operator: reads every partition of its input, emits the sessions at the end.
#[derive(Debug)]
pub struct SessionsExec {
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    projection: Option<Vec<usize>>,
    properties: Arc<PlanProperties>,
}

impl SessionsExec {
    fn new(
        input: Arc<dyn ExecutionPlan>,
        schema: SchemaRef,
        projection: Option<Vec<usize>>,
    ) -> DfResult<Self> {
        let projected = project_schema(&schema, projection.as_ref())?;
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(projected),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        Ok(SessionsExec { input, schema, projection, properties })
    }
}

impl DisplayAs for SessionsExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "SessionsExec: gap={SPLIT_GAP_MS}ms")
    }
}

impl ExecutionPlan for SessionsExec {
    fn name(&self) -> &str {
        "SessionsExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let input = children.into_iter().next().ok_or_else(|| {
            DataFusionError::Internal("SessionsExec takes exactly one input".into())
        })?;
        Ok(Arc::new(SessionsExec::new(input, Arc::clone(&self.schema), self.projection.clone())?))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "SessionsExec has one partition, asked for {partition}"
            )));
        }
        // Every input partition is decoded on its own task; the table is built from their union.
        let input: Arc<dyn ExecutionPlan> =
            if self.input.output_partitioning().partition_count() > 1 {
                Arc::new(CoalescePartitionsExec::new(Arc::clone(&self.input)))
            } else {
                Arc::clone(&self.input)
            };
        let rows_hint = StatisticsContext::new()
            .compute(self.input.as_ref(), &StatisticsArgs::new())
            .ok()
            .and_then(|st| st.num_rows.get_value().copied());
        let mut stream = input.execute(0, Arc::clone(&context))?;
        let reservation = MemoryConsumer::new("SessionsExec").register(context.memory_pool());
        let schema = Arc::clone(&self.schema);
        let projection = self.projection.clone();
        let batch_size = context.session_config().batch_size();
        let out_schema = project_schema(&schema, projection.as_ref())?;
        let work = async move {
            let mut builder = Builder::new(reservation, rows_hint);
            while let Some(batch) = stream.next().await {
                builder.push(&batch?)?;
            }
            builder.finish(&schema, batch_size)
        };
        let batches = futures::stream::once(work)
            .map_ok(move |emitter| {
                let projection = projection.clone();
                futures::stream::iter(emitter.map(move |b| match &projection {
                    None => b,
                    Some(p) => Ok(b?.project(p)?),
                }))
            })
            .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(out_schema, batches)))
    }
}
